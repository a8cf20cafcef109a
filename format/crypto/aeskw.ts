/**
 * AES Key Wrap (RFC 3394, default IV A6A6A6A6A6A6A6A6), as Kloset wraps each object's 32-byte
 * subkey under the 32-byte master key. Uses OpenSSL's `id-aesNNN-wrap` through node:crypto when
 * present, else @noble/ciphers' aeskw. Every failure to unwrap (bad length, integrity check) is an
 * IntegrityError; no OpenSSL error escapes.
 */
import { createCipheriv, createDecipheriv, getCiphers } from 'node:crypto';
import { aeskw } from '@noble/ciphers/aes.js';
import { IntegrityError } from '../errors.js';

const DEFAULT_IV = Buffer.from('a6a6a6a6a6a6a6a6', 'hex');

let nativeNames: Set<string> | undefined;

function nativeCipher(kek: Uint8Array): string | null {
  const name = `id-aes${kek.length * 8}-wrap`;
  nativeNames ??= new Set(getCiphers());
  return nativeNames.has(name) ? name : null;
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
  const name = nativeCipher(kek);
  if (name === null) return aeskw(kek).encrypt(key);
  const c = createCipheriv(name, kek, DEFAULT_IV);
  const out = Buffer.concat([c.update(key), c.final()]);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** Unwraps `wrapped` under `kek`; IntegrityError if its length is invalid or the check fails. */
export function aesKeyUnwrap(kek: Uint8Array, wrapped: Uint8Array): Uint8Array {
  checkKek(kek);
  if (wrapped.length < 24 || wrapped.length % 8 !== 0) {
    throw new IntegrityError(`AES key unwrap: wrapped key must be a multiple of 8 bytes and at least 24, got ${wrapped.length}`);
  }
  const name = nativeCipher(kek);
  try {
    if (name === null) return aeskw(kek).decrypt(wrapped);
    const d = createDecipheriv(name, kek, DEFAULT_IV);
    const out = Buffer.concat([d.update(wrapped), d.final()]);
    if (out.length !== wrapped.length - 8) throw new Error('unexpected unwrapped length');
    return new Uint8Array(out.buffer, out.byteOffset, out.length);
  } catch {
    throw new IntegrityError('AES key unwrap: integrity check failed (wrong key or corrupted data)');
  }
}
