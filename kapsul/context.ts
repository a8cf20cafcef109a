import { loadSnapshots } from '../format/manifest.js';
import { Repository } from '../format/repository.js';
import type { Snapshot } from '../format/snapshot/snapshot.js';
import { openStore, storeKind, type StoreOptions } from '../format/store/location.js';
import { PackfileCache } from '../format/store/packfile-cache.js';
import { passphraseProvider } from './passphrase.js';

export interface Opened {
  repo: Repository;
  snapshots: () => Promise<Snapshot[]>;
}

/**
 * Opens an archive or any store, asking for its passphrase only if it is encrypted. `bulk`: most
 * blobs will be read (sync, check, restore), so an S3 store's packfiles are fetched whole.
 */
export async function openArchive(location: string, passphraseEnv: string[], o: { bulk?: boolean; options?: StoreOptions } = {}): Promise<Opened> {
  const opened = await openStore(location, o.options);
  const store = o.bulk && storeKind(location) === 's3' ? await PackfileCache.wrap(opened) : opened;
  let repo: Repository;
  try {
    repo = await Repository.open(store, passphraseProvider(passphraseEnv));
  } catch (e) {
    await store.close();
    throw e;
  }
  let snaps: Promise<Snapshot[]> | null = null;
  return { repo, snapshots: () => (snaps ??= loadSnapshots(repo)) };
}
