import type { Configuration } from '../storage/config.js';
import { blake3, blake3Keyed, blake3KeyedOneShot, hmacSha256, sha256, type Hasher } from './blake3.js';

/**
 * The MAC used for blob identifiers and for the state, packfile and lock wrappers: keyed by the
 * master key when encrypted, else by the plain hash of the repository id, so that identifiers stay
 * specific to one repository even without a passphrase.
 */
export function macFactory(config: Configuration, master: Uint8Array | null): () => Hasher {
  if (config.hashing.algorithm === 'SHA256') {
    const key = master ?? digest(sha256(), config.repositoryId);
    return () => hmacSha256(key);
  }
  const key = master ?? digest(blake3(), config.repositoryId);
  return () => blake3Keyed(key);
}

/** The same MAC as a one-shot function, cheaper for the many small blobs of a backup. */
export function macFunction(config: Configuration, master: Uint8Array | null): (data: Uint8Array) => Uint8Array {
  if (config.hashing.algorithm === 'SHA256') {
    const make = macFactory(config, master);
    return (data) => digest(make(), data);
  }
  return blake3KeyedOneShot(master ?? digest(blake3(), config.repositoryId));
}

/** The configuration's own wrapper MAC is always BLAKE3, keyed only when encrypted. */
export function configMacFactory(master: Uint8Array | null): () => Hasher {
  return master ? () => blake3Keyed(master) : () => blake3();
}

export function digest(h: Hasher, data: Uint8Array): Uint8Array {
  h.update(data);
  return h.digest();
}
