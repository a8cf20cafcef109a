import { randomBytes } from 'node:crypto';
import { encryptStream } from '../crypto/stream.js';
import type { NewKey } from '../crypto/new-key.js';
import { GoTime } from '../gotime.js';
import { configMacFactory } from '../crypto/mac.js';
import { CONFIG_VERSION } from '../repository.js';
import { RT } from '../resources.js';
import { serializeConfiguration } from '../snapshot/serialize.js';
import { wrapResource } from '../storage/wrapper.js';
import type { Configuration, EncryptionConfig } from '../storage/config.js';

/** What `plakar create` configures for a directory or S3 store: as ptar, but 64 MiB packfiles. */
export function storeConfiguration(): Configuration {
  return { ...defaultConfiguration(), packfile: { minSize: 0n, avgSize: 0n, maxSize: 64n << 20n } };
}

/** The CONFIG resource: the serialized configuration wrapped under the configuration MAC. */
export function wrapConfiguration(config: Configuration, master: Uint8Array | null): Uint8Array {
  return wrapResource(RT.CONFIG, CONFIG_VERSION, serializeConfiguration(config), configMacFactory(master)());
}

/** What `plakar ptar` configures by default (kloset v1.1): one unbounded packfile, FastCDC 512K/1M/8M, BLAKE3, LZ4. */
export function defaultConfiguration(): Configuration {
  return {
    version: 0x00010000,
    timestamp: GoTime.fromDate(new Date()),
    repositoryId: uuidV4(),
    packfile: { minSize: 0n, avgSize: 0n, maxSize: 0xffff_ffff_ffff_ffffn },
    chunking: { algorithm: 'fastcdc-v1.0.0', minSize: 512 * 1024, normalSize: 1024 * 1024, maxSize: 8 * 1024 * 1024 },
    hashing: { algorithm: 'BLAKE3', bits: 256 },
    compression: { algorithm: 'LZ4', level: 131072, windowSize: -1, chunkSize: -1, blockSize: -1, enableCRC: false },
    encryption: null,
  };
}

/**
 * Adds encryption to a configuration: the new key's KDF parameters, and the canary (32 random
 * bytes sealed with the key) that later proves a passphrase right. Returns the master key.
 */
export async function enableEncryption(config: Configuration, key: NewKey): Promise<Uint8Array> {
  const enc: EncryptionConfig = {
    subKeyAlgorithm: 'AES256-KW',
    dataAlgorithm: 'AES256-GCM-SIV',
    chunkSize: 65536,
    kdfParams: key.params,
    canary: new Uint8Array(0),
  };
  const master = await key.master;
  enc.canary = encryptStream(enc, master, new Uint8Array(randomBytes(32)));
  config.encryption = enc;
  return master;
}

function uuidV4(): Uint8Array {
  const b = new Uint8Array(randomBytes(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  return b;
}
