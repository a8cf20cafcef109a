import { pbkdf2, scrypt } from 'node:crypto';
import { promisify } from 'node:util';
import { UnsupportedError } from '../errors.js';
import type { KdfParams } from '../storage/config.js';
import { argon2id } from './argon2.js';

const pbkdf2Async = promisify(pbkdf2);

/** Derives the 32-byte master key from a passphrase with the KDF parameters stored in the config. */
export async function deriveKey(p: KdfParams, passphrase: Uint8Array): Promise<Uint8Array> {
  switch (p.kdf) {
    case 'ARGON2ID': {
      const a = p.argon2id;
      if (!a) throw new UnsupportedError('configuration: ARGON2ID without parameters');
      return argon2id(passphrase, p.salt, { time: a.time, memoryKiB: a.memory, threads: a.threads, keyLen: a.keyLen });
    }
    case 'SCRYPT': {
      const s = p.scrypt;
      if (!s) throw new UnsupportedError('configuration: SCRYPT without parameters');
      if (s.n > 1 << 22 || s.r > 64 || s.p > 16 || s.keyLen > 64) throw new UnsupportedError('configuration: scrypt parameters out of range');
      return new Promise((resolve, reject) =>
        scrypt(passphrase, p.salt, s.keyLen, { N: s.n, r: s.r, p: s.p, maxmem: 256 * s.n * s.r + (1 << 20) }, (err, key) =>
          err ? reject(new UnsupportedError(`scrypt: ${err.message}`)) : resolve(new Uint8Array(key)),
        ),
      );
    }
    case 'PBKDF2': {
      const k = p.pbkdf2;
      if (!k) throw new UnsupportedError('configuration: PBKDF2 without parameters');
      if (k.hashing !== 'SHA256') throw new UnsupportedError(`PBKDF2 with ${k.hashing} is not supported`);
      if (k.iterations > 100_000_000 || k.keyLen > 64) throw new UnsupportedError('configuration: PBKDF2 parameters out of range');
      return new Uint8Array(await pbkdf2Async(passphrase, p.salt, k.iterations, k.keyLen, 'sha256'));
    }
  }
}
