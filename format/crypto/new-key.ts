import { randomBytes } from 'node:crypto';
import type { KdfParams } from '../storage/config.js';
import { deriveKey } from './kdf.js';

export interface KdfChoice {
  time: number;
  memoryKiB: number;
  threads: number;
}

/** Plakar's defaults: Argon2id, t=4, m=256 MiB, p=1. */
export const DEFAULT_KDF: KdfChoice = { time: 4, memoryKiB: 256 * 1024, threads: 1 };

/** A new repository's key: fresh KDF parameters (a random salt) and the master key being derived. */
export interface NewKey {
  params: KdfParams;
  master: Promise<Uint8Array>;
}

/**
 * Starts deriving a new repository's master key from a passphrase. Argon2id runs off this thread
 * (~0.5 s at plakar's parameters), so a command can load the rest of its code meanwhile; this
 * module is kept small for that.
 */
export function newKey(passphrase: string, kdf: KdfChoice = DEFAULT_KDF): NewKey {
  const params: KdfParams = {
    kdf: 'ARGON2ID',
    salt: new Uint8Array(randomBytes(16)),
    argon2id: { saltSize: 16, time: kdf.time, memory: kdf.memoryKiB, threads: kdf.threads, keyLen: 32 },
  };
  const master = deriveKey(params, new TextEncoder().encode(passphrase));
  // Awaited by enableEncryption; should the command fail before that, the failure is not unhandled.
  master.catch(() => {});
  return { params, master };
}
