import { createCipheriv, createDecipheriv } from 'node:crypto';
import { randomBytes } from './random.js';
import { IntegrityError } from '../errors.js';
import type { EncryptionConfig } from '../storage/config.js';
import { aesKeyUnwrap, aesKeyWrapMany } from './aeskw.js';
import { native } from '../native/native.js';
import { gcmSivOpen, gcmSivSealInto } from './gcmsiv.js';

const NONCE = 12;
const TAG = 16;
const KW_PREFIX = 40;
const GCM_PREFIX = NONCE + 32 + TAG;

/*
 * Kloset's encrypted stream: a fresh 32-byte subkey wrapped under the master key (AES-KW: 40 bytes,
 * or AES-GCM: nonce‖ct‖tag, 60 bytes), then the plaintext cut in `chunkSize` pieces, each sealed
 * with AES-256-GCM-SIV under the subkey with its own random nonce and no associated data:
 * nonce(12) ‖ ciphertext ‖ tag(16).
 */

export function encryptedLength(cfg: Pick<EncryptionConfig, 'chunkSize' | 'subKeyAlgorithm'>, plainLength: number): number {
  const prefix = cfg.subKeyAlgorithm === 'AES256-KW' ? KW_PREFIX : GCM_PREFIX;
  return prefix + plainLength + (NONCE + TAG) * Math.ceil(plainLength / cfg.chunkSize);
}

function unwrapSubkey(cfg: EncryptionConfig, master: Uint8Array, prefix: Uint8Array, what: string): Uint8Array {
  if (cfg.subKeyAlgorithm === 'AES256-KW') return aesKeyUnwrap(master, prefix);
  try {
    const d = createDecipheriv('aes-256-gcm', master, prefix.subarray(0, NONCE));
    d.setAuthTag(prefix.subarray(NONCE + 32));
    return new Uint8Array(Buffer.concat([d.update(prefix.subarray(NONCE, NONCE + 32)), d.final()]));
  } catch {
    throw new IntegrityError(`${what}: subkey authentication failed`);
  }
}

/** Fresh subkeys are made and AES-KW-wrapped this many at a time (per master key). */
const SUBKEY_BATCH = 256;
const subkeyPools = new WeakMap<Uint8Array, { keys: Uint8Array; wrapped: Uint8Array; next: number }>();

/** A fresh random subkey and its wrap: each is handed out once. */
function newSubkey(cfg: EncryptionConfig, master: Uint8Array): { subkey: Uint8Array; prefix: Uint8Array } {
  if (cfg.subKeyAlgorithm !== 'AES256-KW') {
    const subkey = randomBytes(32);
    return { subkey, prefix: wrapSubkeyGcm(master, subkey) };
  }
  let pool = subkeyPools.get(master);
  if (!pool || pool.next === SUBKEY_BATCH) {
    const keys = randomBytes(32 * SUBKEY_BATCH);
    pool = { keys, wrapped: aesKeyWrapMany(master, keys), next: 0 };
    subkeyPools.set(master, pool);
  }
  const i = pool.next++;
  const subkey = pool.keys.subarray(32 * i, 32 * i + 32);
  const prefix = pool.wrapped.subarray(KW_PREFIX * i, KW_PREFIX * i + KW_PREFIX);
  return { subkey, prefix };
}

function wrapSubkeyGcm(master: Uint8Array, subkey: Uint8Array): Uint8Array {
  const nonce = randomBytes(NONCE);
  const c = createCipheriv('aes-256-gcm', master, nonce);
  const ct = Buffer.concat([c.update(subkey), c.final()]);
  return new Uint8Array(Buffer.concat([nonce, ct, c.getAuthTag()]));
}

export function decryptStream(cfg: EncryptionConfig, master: Uint8Array, data: Uint8Array, what: string): Uint8Array {
  const prefixLen = cfg.subKeyAlgorithm === 'AES256-KW' ? KW_PREFIX : GCM_PREFIX;
  if (data.length < prefixLen) throw new IntegrityError(`${what}: encrypted data truncated`);
  const subkey = unwrapSubkey(cfg, master, data.subarray(0, prefixLen), what);
  const sealedChunk = cfg.chunkSize + NONCE + TAG;
  const body = data.length - prefixLen;
  const chunks = Math.ceil(body / sealedChunk);
  const plainLen = body - chunks * (NONCE + TAG);
  const last = body - (chunks - 1) * sealedChunk;
  if (chunks > 0 && last < NONCE + TAG) throw new IntegrityError(`${what}: encrypted data truncated`);
  const out = new Uint8Array(Math.max(plainLen, 0));
  let o = 0;
  for (let p = prefixLen; p < data.length; p += sealedChunk) {
    const piece = data.subarray(p, Math.min(p + sealedChunk, data.length));
    let plain: Uint8Array;
    try {
      plain = gcmSivOpen(subkey, piece.subarray(0, NONCE), piece.subarray(NONCE));
    } catch (e) {
      throw new IntegrityError(`${what}: ${(e as Error).message}`);
    }
    out.set(plain, o);
    o += plain.length;
  }
  return out;
}

export function encryptStream(cfg: EncryptionConfig, master: Uint8Array, plain: Uint8Array): Uint8Array {
  const out = new Uint8Array(encryptedLength(cfg, plain.length));
  encryptStreamInto(cfg, master, plain, out, 0);
  return out;
}

/** encryptStream() into out[at, at + encryptedLength(cfg, plain.length)). */
export function encryptStreamInto(cfg: EncryptionConfig, master: Uint8Array, plain: Uint8Array, out: Uint8Array, at: number): void {
  const { subkey, prefix } = newSubkey(cfg, master);
  out.set(prefix, at);
  sealChunks(subkey, plain, cfg.chunkSize, out, at + prefix.length);
}

/** Seals plain's chunkSize pieces one after another at out[o]: nonce ‖ ciphertext ‖ tag each. */
function sealChunks(subkey: Uint8Array, plain: Uint8Array, chunkSize: number, out: Uint8Array, o: number): void {
  const nat = native();
  if (nat !== null) return nat.sealStream(subkey, randomBytes(NONCE * Math.ceil(plain.length / chunkSize)), plain, chunkSize, out, o);
  for (let p = 0; p < plain.length; p += chunkSize) {
    const nonce = randomBytes(NONCE);
    out.set(nonce, o);
    const piece = plain.subarray(p, Math.min(p + chunkSize, plain.length));
    gcmSivSealInto(subkey, nonce, piece, out, o + NONCE);
    o += NONCE + piece.length + TAG;
  }
}

/**
 * encryptStream() of data given in pieces, for data too big to hold at once: the same layout
 * (one subkey, chunkSize pieces sealed in turn) whatever the pieces. push() and end() return the
 * stream's next bytes, in arrays the caller owns.
 */
export class SealStream {
  private readonly subkey: Uint8Array;
  private prefix: Uint8Array | null;
  private readonly pending: Uint8Array;
  private used = 0;

  constructor(private readonly cfg: EncryptionConfig, master: Uint8Array) {
    ({ subkey: this.subkey, prefix: this.prefix } = newSubkey(cfg, master));
    this.pending = new Uint8Array(cfg.chunkSize);
  }

  push(data: Uint8Array): Uint8Array[] {
    const out = this.start();
    const size = this.cfg.chunkSize;
    let p = 0;
    if (this.used > 0) {
      p = Math.min(size - this.used, data.length);
      this.pending.set(data.subarray(0, p), this.used);
      this.used += p;
      if (this.used < size) return out;
      out.push(this.seal(this.pending));
      this.used = 0;
    }
    const whole = Math.floor((data.length - p) / size) * size;
    if (whole > 0) out.push(this.seal(data.subarray(p, p + whole)));
    this.pending.set(data.subarray(p + whole), 0);
    this.used = data.length - p - whole;
    return out;
  }

  end(): Uint8Array[] {
    const out = this.start();
    if (this.used > 0) out.push(this.seal(this.pending.subarray(0, this.used)));
    this.used = 0;
    return out;
  }

  private start(): Uint8Array[] {
    const prefix = this.prefix;
    this.prefix = null;
    return prefix ? [prefix.slice()] : [];
  }

  private seal(plain: Uint8Array): Uint8Array {
    const size = this.cfg.chunkSize;
    const out = new Uint8Array(plain.length + (NONCE + TAG) * Math.ceil(plain.length / size));
    sealChunks(this.subkey, plain, size, out, 0);
    return out;
  }
}
