import { randomFillSync } from 'node:crypto';

const POOL = 64 * 1024;
let pool = Buffer.alloc(0);
let used = 0;

/**
 * Cryptographically random bytes from a pool refilled 64 KiB at a time: a backup asks for a
 * subkey and nonces per blob, and one system call per 12 bytes costs more than the encryption.
 * Each call gets fresh bytes that are never handed out twice.
 */
export function randomBytes(n: number): Uint8Array {
  if (n > POOL) return randomFillSync(new Uint8Array(n));
  if (used + n > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafe(POOL));
    used = 0;
  }
  const out = pool.subarray(used, used + n);
  used += n;
  return out;
}
