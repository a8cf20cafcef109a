import { newKey } from '../../format/crypto/new-key.js';
import { writableStore } from '../../format/store/location.js';
import { enableEncryption, storeConfiguration, wrapConfiguration } from '../../format/write/config.js';
import { printJson } from '../../kapsul/output.js';
import { newPassphrase } from './ptar.js';

/** `plakar at LOCATION create [-plaintext]`: a new directory or S3 store with plakar's defaults. */
export async function create(location: string, plaintext: boolean, json: boolean): Promise<number> {
  const store = await writableStore(location);
  try {
    const config = storeConfiguration();
    const master = plaintext ? null : await enableEncryption(config, newKey(newPassphrase()));
    await store.create(wrapConfiguration(config, master));
    const id = Buffer.from(config.repositoryId).toString('hex');
    if (json) await printJson({ location, repository_id: id, encrypted: master !== null });
    return 0;
  } finally {
    await store.close();
  }
}
