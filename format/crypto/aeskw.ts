/**
 * AES Key Wrap (RFC 3394, default IV A6A6A6A6A6A6A6A6), as Kloset wraps each object's 32-byte
 * subkey under the 32-byte master key. Uses OpenSSL's `id-aesNNN-wrap` through node:crypto when
 * present, else @noble/ciphers' aeskw. Every failure to unwrap (bad length, integrity check) is an
 * IntegrityError; no OpenSSL error escapes.
 */
import { createCipheriv, createDecipheriv, getCiphers } from 'node:crypto';
import { IntegrityError } from '../errors.js';
import { native } from '../native/native.js';

const DEFAULT_IV = Buffer.from('a6a6a6a6a6a6a6a6', 'hex');

const nativeNames = new Set(getCiphers());
// The fallback is loaded only where it is needed: it builds ~9 MB of tables in every thread that
// imports it, and every thread that encodes blobs imports this module.
const hasNative = ['id-aes128-wrap', 'id-aes192-wrap', 'id-aes256-wrap'].every((n) => nativeNames.has(n));
const fallback = hasNative ? null : (await import('@noble/ciphers/aes.js')).aeskw;

function nativeCipher(kek: Uint8Array): string {
  return `id-aes${kek.length * 8}-wrap`;
}

function checkKek(kek: Uint8Array): void {
  if (kek.length !== 16 && kek.length !== 24 && kek.length !== 32) {
    throw new RangeError(`AES key wrap: KEK must be 16, 24 or 32 bytes, got ${kek.length}`);
  }
}

/** Wraps `key` (a multiple of 8 bytes, at least 16) under `kek`: 8 bytes longer than `key`. */
export function aesKeyWrap(kek: Uint8Array, key: Uint8Array): Uint8Array {
  checkKek(kek);
  if (key.length < 16 || key.length % 8 !== 0) {
    throw new RangeError(`AES key wrap: key to wrap must be a multiple of 8 bytes and at least 16, got ${key.length}`);
  }
  if (fallback) return fallback(kek).encrypt(key);
  const c = createCipheriv(nativeCipher(kek), kek, DEFAULT_IV);
  const out = Buffer.concat([c.update(key), c.final()]);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** Unwraps `wrapped` under `kek`; IntegrityError if its length is invalid or the check fails. */
export function aesKeyUnwrap(kek: Uint8Array, wrapped: Uint8Array): Uint8Array {
  checkKek(kek);
  if (wrapped.length < 24 || wrapped.length % 8 !== 0) {
    throw new IntegrityError(`AES key unwrap: wrapped key must be a multiple of 8 bytes and at least 24, got ${wrapped.length}`);
  }
  try {
    if (fallback) return fallback(kek).decrypt(wrapped);
    const d = createDecipheriv(nativeCipher(kek), kek, DEFAULT_IV);
    const out = Buffer.concat([d.update(wrapped), d.final()]);
    if (out.length !== wrapped.length - 8) throw new Error('unexpected unwrapped length');
    return new Uint8Array(out.buffer, out.byteOffset, out.length);
  } catch {
    throw new IntegrityError('AES key unwrap: integrity check failed (wrong key or corrupted data)');
  }
}

/**
 * Wraps many 32-byte keys (concatenated in `keys`) under one KEK at once, as a backup wraps one
 * subkey per blob: in the native addon for 32-byte KEKs (Kloset's), else RFC 3394's 24 steps per
 * key run as 24 ECB calls over all the keys together, instead of one cipher setup per key, which
 * costs more than the wrapping itself. Returns the wrapped keys, 40 bytes each, in order.
 */
export function aesKeyWrapMany(kek: Uint8Array, keys: Uint8Array): Uint8Array {
  checkKek(kek);
  if (keys.length % 32 !== 0) throw new RangeError(`AES key wrap: keys must be 32 bytes each, got ${keys.length} bytes`);
  const m = keys.length / 32;
  const nat = kek.length === 32 ? native() : null;
  if (nat !== null) {
    const wrapped = new Uint8Array(40 * m);
    nat.wrapKeys(kek, keys, wrapped);
    return wrapped;
  }
  const ecb = createCipheriv(`aes-${kek.length * 8}-ecb`, kek, null);
  ecb.setAutoPadding(false);
  // Everything moves in 8-byte halves, as 32-bit word pairs (A and R_i each two words).
  const a = new Uint32Array(2 * m);
  const iv = new Uint32Array(Uint8Array.from(DEFAULT_IV).buffer);
  for (let k = 0; k < m; k++) {
    a[2 * k] = iv[0]!;
    a[2 * k + 1] = iv[1]!;
  }
  const r = new Uint32Array(Uint8Array.from(keys).buffer);
  const block = new Uint32Array(4 * m);
  const blockBytes = new Uint8Array(block.buffer);
  const out = new Uint8Array(40 * m);
  const outWords = new Uint32Array(out.buffer);
  // The counter t is XORed into A's last byte: byte 7, the top byte of word 1 on a little-endian
  // machine, the bottom one on a big-endian machine.
  const tShift = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 24 : 0;
  for (let j = 0; j < 6; j++) {
    for (let i = 0; i < 4; i++) {
      for (let k = 0; k < m; k++) {
        block[4 * k] = a[2 * k]!;
        block[4 * k + 1] = a[2 * k + 1]!;
        block[4 * k + 2] = r[8 * k + 2 * i]!;
        block[4 * k + 3] = r[8 * k + 2 * i + 1]!;
      }
      const b = ecb.update(blockBytes);
      const w = b.byteOffset % 4 === 0 ? new Uint32Array(b.buffer, b.byteOffset, 4 * m) : new Uint32Array(Uint8Array.from(b).buffer);
      const t = (4 * j + i + 1) << tShift;
      for (let k = 0; k < m; k++) {
        a[2 * k] = w[4 * k]!;
        a[2 * k + 1] = w[4 * k + 1]! ^ t;
        r[8 * k + 2 * i] = w[4 * k + 2]!;
        r[8 * k + 2 * i + 1] = w[4 * k + 3]!;
      }
    }
  }
  for (let k = 0; k < m; k++) {
    outWords[10 * k] = a[2 * k]!;
    outWords[10 * k + 1] = a[2 * k + 1]!;
    for (let q = 0; q < 8; q++) outWords[10 * k + 2 + q] = r[8 * k + q]!;
  }
  return out;
}
