/**
 * Argon2id (RFC 9106, version 0x13) for deriving the repository master key from a passphrase.
 *
 * Backed by the native @node-rs/argon2 (`hashRaw`, run off the main thread); should its binary be
 * missing for a platform, @noble/hashes' pure-JS argon2id is used instead (same result, slower).
 * Parameters come from a repository's configuration, i.e. from a file, so they are validated
 * before anything is allocated: structurally invalid values are an IntegrityError, valid but
 * excessive ones (more than 4 GiB of memory, more than 1000 passes, ...) an UnsupportedError.
 */
import { createRequire } from 'node:module';
import { argon2idAsync } from '@noble/hashes/argon2.js';
import { IntegrityError, UnsupportedError } from '../errors.js';

export interface Argon2Params {
  /** Passes over memory (t). */
  time: number;
  /** Memory in KiB (m). */
  memoryKiB: number;
  /** Lanes (p). */
  threads: number;
  /** Output length in bytes. */
  keyLen: number;
}

export const ARGON2_LIMITS = {
  maxMemoryKiB: 4 * 1024 * 1024, // 4 GiB
  maxTime: 1000,
  maxThreads: 255,
  minKeyLen: 16,
  maxKeyLen: 64,
  minSaltLen: 8,
  maxSaltLen: 1024,
} as const;

interface NodeRsArgon2 {
  hashRaw(password: Uint8Array, options: {
    memoryCost: number; timeCost: number; parallelism: number; outputLen: number;
    algorithm: number; version: number; salt: Uint8Array;
  }): Promise<Buffer>;
}

let native: NodeRsArgon2 | null | undefined;
let preferJs = false;

function loadNative(): NodeRsArgon2 | null {
  if (native !== undefined) return native;
  try {
    native = createRequire(import.meta.url)('@node-rs/argon2') as NodeRsArgon2;
  } catch {
    native = null;
  }
  return native;
}

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v);
}

/** Throws unless the parameters are sane; see the module comment for which error is which. */
export function validateArgon2Params(salt: Uint8Array, p: Argon2Params): void {
  const L = ARGON2_LIMITS;
  for (const k of ['time', 'memoryKiB', 'threads', 'keyLen'] as const) {
    if (!isInt(p[k])) throw new IntegrityError(`argon2id: parameter ${k} is not an integer (${String(p[k])})`);
  }
  if (p.time < 1) throw new IntegrityError(`argon2id: time cost ${p.time} < 1`);
  if (p.time > L.maxTime) throw new UnsupportedError(`argon2id: time cost ${p.time} exceeds the limit of ${L.maxTime}`);
  if (p.threads < 1) throw new IntegrityError(`argon2id: parallelism ${p.threads} < 1`);
  if (p.threads > L.maxThreads) throw new UnsupportedError(`argon2id: parallelism ${p.threads} exceeds the limit of ${L.maxThreads}`);
  if (p.memoryKiB < 8 * p.threads) {
    throw new IntegrityError(`argon2id: memory ${p.memoryKiB} KiB is below the minimum of 8 KiB per lane (${8 * p.threads})`);
  }
  if (p.memoryKiB > L.maxMemoryKiB) {
    throw new UnsupportedError(`argon2id: memory ${p.memoryKiB} KiB exceeds the limit of ${L.maxMemoryKiB} KiB (4 GiB)`);
  }
  if (p.keyLen < L.minKeyLen || p.keyLen > L.maxKeyLen) {
    throw new UnsupportedError(`argon2id: key length ${p.keyLen} is outside ${L.minKeyLen}..${L.maxKeyLen}`);
  }
  if (salt.length < L.minSaltLen) throw new IntegrityError(`argon2id: salt of ${salt.length} bytes is shorter than ${L.minSaltLen}`);
  if (salt.length > L.maxSaltLen) throw new UnsupportedError(`argon2id: salt of ${salt.length} bytes exceeds ${L.maxSaltLen}`);
}

/** Argon2id(password, salt) with no secret and no associated data, version 0x13. */
export async function argon2id(password: Uint8Array, salt: Uint8Array, p: Argon2Params): Promise<Uint8Array> {
  validateArgon2Params(salt, p);
  const n = preferJs ? null : loadNative();
  if (n !== null) {
    const out = await n.hashRaw(password, {
      memoryCost: p.memoryKiB,
      timeCost: p.time,
      parallelism: p.threads,
      outputLen: p.keyLen,
      algorithm: 2, // Algorithm.Argon2id (a const enum, not exported at run time)
      version: 1, // Version.V0x13
      salt,
    });
    return new Uint8Array(out.buffer, out.byteOffset, out.length);
  }
  return argon2idAsync(password, salt, {
    t: p.time, m: p.memoryKiB, p: p.threads, dkLen: p.keyLen, version: 0x13,
    maxmem: (p.memoryKiB + 1024) * 1024, // already bounded by validateArgon2Params
  });
}

/** Which implementation argon2id() uses: 'native' (@node-rs/argon2) or 'js' (@noble/hashes). */
export function argon2Backend(): 'native' | 'js' {
  return !preferJs && loadNative() !== null ? 'native' : 'js';
}

/** Forces the pure-JS implementation (true) or restores the native one when available (false): tests. */
export function setArgon2PreferJs(v: boolean): void {
  preferJs = v;
}
