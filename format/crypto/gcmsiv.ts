/**
 * AES-GCM-SIV (RFC 8452), byte-identical to the RFC and fast.
 *
 * The per-nonce key derivation, the tag and the keystream of short messages run in the AES kernel
 * of aes.ts (cheaper than setting up OpenSSL ciphers for a few blocks under keys used once). The
 * keystream of longer messages comes from node's OpenSSL (AES-NI) in ECB mode, over counter blocks
 * (the tag with the top bit of its last byte set, and a 32-bit LITTLE-endian counter in its first
 * four bytes that wraps modulo 2^32 — no OpenSSL mode does that) generated here and encrypted in
 * one call per 64 KiB. POLYVAL, the counter blocks and the keystream XOR run in the WebAssembly
 * SIMD kernel of polyval.ts, which keeps the data in its memory between the XOR and the hash; where
 * WebAssembly SIMD is unavailable a portable path does the same in TypeScript.
 *
 * Node 20's OpenSSL 3.0 has no GCM-SIV; @noble/ciphers' pure-JS gcmsiv is the reference in tests.
 * Kloset seals each 64 KiB chunk under a per-object subkey with a fresh 12-byte nonce and empty
 * associated data; AAD is supported (for the RFC vectors) and so are 16-byte (AES-128) keys.
 */
import { createCipheriv, timingSafeEqual, type Cipher } from 'node:crypto';
import { IntegrityError } from '../errors.js';
import { native } from '../native/native.js';
import { AES_CTR, AES_DATA, aesKernel } from './aes.js';
import { lengthBlock, polyvalSiv, wasmKernel, xorInto, type WasmKernel } from './polyval.js';

export const GCM_SIV_NONCE_SIZE = 12;
export const GCM_SIV_TAG_SIZE = 16;
/** RFC 8452: P_MAX = A_MAX = 2^36 bytes. */
const MAX_INPUT = 2 ** 36;
const EMPTY = new Uint8Array(0);
/**
 * Messages up to this size get their keystream from the AES kernel; longer ones from OpenSSL,
 * whose cipher setup (~4 µs) is then repaid by AES-NI speed.
 */
const SMALL = 512;

/** The portable path produces keystream in segments of this many bytes. */
const SEGMENT = 64 * 1024;
let counterWords: Uint32Array | undefined;
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function ecb(key: Uint8Array): Cipher {
  const c = createCipheriv(key.length === 32 ? 'aes-256-ecb' : 'aes-128-ecb', key, null);
  c.setAutoPadding(false);
  return c;
}

/** A fresh, exclusively owned, uninitialised array (every byte is written by the caller). */
function allocOut(n: number): Uint8Array {
  const b = Buffer.allocUnsafeSlow(n);
  return new Uint8Array(b.buffer, b.byteOffset, n);
}

interface Derived {
  authKey: Uint8Array;
  encKey: Uint8Array;
  /** An OpenSSL ECB cipher under encKey, made for long messages only; ECB is stateless, so update() can be reused. */
  enc: Cipher | null;
}

function bulk(d: Derived): Cipher {
  return (d.enc ??= ecb(d.encKey));
}

/** RFC 8452 section 4: message-authentication key and message-encryption key from (key, nonce). */
function deriveKeys(key: Uint8Array, nonce: Uint8Array): Derived {
  const aes = aesKernel();
  const m = aes.mem;
  const nblocks = key.length === 32 ? 6 : 4;
  aes.setKey(key);
  m.fill(0, AES_DATA, AES_DATA + 16 * nblocks);
  for (let i = 0; i < nblocks; i++) {
    m[AES_DATA + 16 * i] = i;
    m.set(nonce, AES_DATA + 16 * i + 4);
  }
  aes.ecb(nblocks);
  const authKey = new Uint8Array(16);
  authKey.set(m.subarray(AES_DATA, AES_DATA + 8), 0);
  authKey.set(m.subarray(AES_DATA + 16, AES_DATA + 24), 8);
  const encKey = new Uint8Array(key.length);
  for (let i = 0; i < key.length / 8; i++) encKey.set(m.subarray(AES_DATA + 32 + 16 * i, AES_DATA + 40 + 16 * i), 8 * i);
  m.fill(0, AES_DATA, AES_DATA + 16 * nblocks);
  return { authKey, encKey, enc: null };
}

/** tag = AES(encKey, S_s ⊕ (nonce ‖ 0^32) with the top bit of the last byte cleared). */
function tagFromS(d: Derived, nonce: Uint8Array, s: Uint8Array): Uint8Array {
  for (let i = 0; i < 12; i++) s[i]! ^= nonce[i]!;
  s[15]! &= 0x7f;
  const aes = aesKernel();
  aes.setKey(d.encKey);
  aes.mem.set(s, AES_DATA);
  aes.ecb(1);
  return aes.mem.slice(AES_DATA, AES_DATA + 16);
}

/** The initial counter block: the tag with the top bit of its last byte set. */
function counterBlock(tag: Uint8Array): Uint8Array {
  const b = Uint8Array.from(tag.subarray(0, 16));
  b[15]! |= 0x80;
  return b;
}

/** out[off, off + n) = input ⊕ the keystream from the tag, for a short input, in the AES kernel. */
function ctrSmall(d: Derived, tag: Uint8Array, input: Uint8Array, out: Uint8Array, off: number): void {
  const aes = aesKernel();
  const m = aes.mem;
  const n = input.length;
  aes.setKey(d.encKey);
  m.set(tag, AES_CTR);
  m[AES_CTR + 15]! |= 0x80;
  m.set(input, AES_DATA);
  aes.ctr(n);
  out.set(m.subarray(AES_DATA, AES_DATA + n), off);
  m.fill(0, AES_DATA, AES_DATA + n);
}

// ---- WebAssembly path -------------------------------------------------------------------------

function sealWasm(k: WasmKernel, d: Derived, nonce: Uint8Array, pt: Uint8Array, aad: Uint8Array, out: Uint8Array, at: number): void {
  const n = pt.length;
  const seg = k.seg;
  k.setKey(d.authKey);
  k.setAcc(null);
  if (aad.length !== 0) k.absorbPadded(aad);
  // A message that fits one segment stays in DATA from the hash to the XOR.
  const resident = n <= seg;
  if (resident) {
    k.loadData(pt);
    k.absorbData(n);
  } else {
    k.absorbPadded(pt);
  }
  k.absorbBlock(lengthBlock(aad.length, n));
  const s = new Uint8Array(16);
  k.getAcc(s);
  const tag = tagFromS(d, nonce, s);
  if (n <= SMALL) ctrSmall(d, tag, pt, out, at);
  else {
    k.setCounter(counterBlock(tag));
    for (let off = 0; off < n; off += seg) {
      const len = Math.min(seg, n - off);
      if (!resident) k.loadData(pt.subarray(off, off + len));
      const ks = bulk(d).update(k.counters((len + 15) >>> 4));
      k.xorDataWith(ks, len);
      out.set(k.data(len), at + off);
    }
  }
  out.set(tag, at + n);
}

function openWasm(k: WasmKernel, d: Derived, nonce: Uint8Array, ct: Uint8Array, tag: Uint8Array, aad: Uint8Array, out: Uint8Array): Uint8Array {
  const n = ct.length;
  const seg = k.seg;
  k.setKey(d.authKey);
  k.setAcc(null);
  if (aad.length !== 0) k.absorbPadded(aad);
  if (n <= SMALL) {
    ctrSmall(d, tag, ct, out, 0);
    k.absorbPadded(out);
  } else {
    k.setCounter(counterBlock(tag));
    for (let off = 0; off < n; off += seg) {
      const len = Math.min(seg, n - off);
      k.loadData(ct.subarray(off, off + len));
      const ks = bulk(d).update(k.counters((len + 15) >>> 4));
      k.xorDataWith(ks, len);
      out.set(k.data(len), off);
      k.absorbData(len);
    }
  }
  k.absorbBlock(lengthBlock(aad.length, n));
  const s = new Uint8Array(16);
  k.getAcc(s);
  return tagFromS(d, nonce, s);
}

// ---- portable path ----------------------------------------------------------------------------

/** out[at, at + n) = input[0..n) ⊕ the AES-CTR keystream from the tag. */
function ctrPortable(d: Derived, tag: Uint8Array, input: Uint8Array, out: Uint8Array, at: number): void {
  const n = input.length;
  if (n <= SMALL) return ctrSmall(d, tag, input, out, at);
  const enc = bulk(d);
  const cb = counterBlock(tag);
  const c = (counterWords ??= new Uint32Array(SEGMENT / 4));
  const bytes = new Uint8Array(c.buffer);
  const dv = new DataView(cb.buffer, cb.byteOffset, 16);
  const w1 = dv.getUint32(4, true), w2 = dv.getUint32(8, true), w3 = dv.getUint32(12, true);
  let counter = dv.getUint32(0, true);
  const cv = new DataView(c.buffer);
  for (let off = 0; off < n; off += SEGMENT) {
    const len = Math.min(SEGMENT, n - off);
    const nblocks = (len + 15) >>> 4;
    for (let b = 0, k = 0; b < nblocks; b++, k += 4) {
      if (LITTLE_ENDIAN) {
        c[k] = counter; c[k + 1] = w1; c[k + 2] = w2; c[k + 3] = w3;
      } else {
        cv.setUint32(4 * k, counter, true); cv.setUint32(4 * k + 4, w1, true);
        cv.setUint32(4 * k + 8, w2, true); cv.setUint32(4 * k + 12, w3, true);
      }
      counter = (counter + 1) >>> 0;
    }
    const ks = enc.update(bytes.subarray(0, nblocks << 4));
    xorInto(out.subarray(at + off, at + off + len), input.subarray(off, off + len), ks, len);
  }
}

function sealPortable(d: Derived, nonce: Uint8Array, pt: Uint8Array, aad: Uint8Array, out: Uint8Array, at: number): void {
  const tag = tagFromS(d, nonce, polyvalSiv(d.authKey, aad, pt, new Uint8Array(16), 'js'));
  ctrPortable(d, tag, pt, out, at);
  out.set(tag, at + pt.length);
}

function openPortable(d: Derived, nonce: Uint8Array, ct: Uint8Array, tag: Uint8Array, aad: Uint8Array, out: Uint8Array): Uint8Array {
  ctrPortable(d, tag, ct, out, 0);
  return tagFromS(d, nonce, polyvalSiv(d.authKey, aad, out, new Uint8Array(16), 'js'));
}

function wipe(d: Derived): void {
  d.authKey.fill(0);
  d.encKey.fill(0);
}

// ---- API --------------------------------------------------------------------------------------

function checkSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): void {
  if (key.length !== 32 && key.length !== 16) throw new RangeError(`AES-GCM-SIV key must be 16 or 32 bytes, got ${key.length}`);
  if (nonce.length !== GCM_SIV_NONCE_SIZE) throw new RangeError(`AES-GCM-SIV nonce must be 12 bytes, got ${nonce.length}`);
  if (plaintext.length > MAX_INPUT || aad.length > MAX_INPUT) throw new RangeError('AES-GCM-SIV input too long');
}

/** AES-GCM-SIV encryption (RFC 8452) of `plaintext` into out[at, at + length + 16): ciphertext ‖ tag. */
export function gcmSivSealInto(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, out: Uint8Array, at: number, aad: Uint8Array = EMPTY): void {
  checkSeal(key, nonce, plaintext, aad);
  if (at < 0 || at + plaintext.length + GCM_SIV_TAG_SIZE > out.length) throw new RangeError('AES-GCM-SIV output does not fit');
  const nat = native();
  if (nat !== null && key.length === 32 && aad.length === 0) return nat.seal(key, nonce, plaintext, out, at);
  const d = deriveKeys(key, nonce);
  const k = wasmKernel();
  if (k !== null) sealWasm(k, d, nonce, plaintext, aad, out, at);
  else sealPortable(d, nonce, plaintext, aad, out, at);
  wipe(d);
}

/** AES-GCM-SIV encryption (RFC 8452): ciphertext ‖ tag (16 bytes). */
export function gcmSivSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array = EMPTY): Uint8Array {
  checkSeal(key, nonce, plaintext, aad);
  const out = allocOut(plaintext.length + GCM_SIV_TAG_SIZE);
  gcmSivSealInto(key, nonce, plaintext, out, 0, aad);
  return out;
}

/**
 * AES-GCM-SIV decryption (RFC 8452) of ciphertext ‖ tag. Throws IntegrityError when the tag does
 * not verify (compared in constant time) or the input is malformed (shorter than a tag, a nonce
 * that is not 12 bytes); no plaintext is released then.
 */
export function gcmSivOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array = EMPTY): Uint8Array {
  if (key.length !== 32 && key.length !== 16) throw new RangeError(`AES-GCM-SIV key must be 16 or 32 bytes, got ${key.length}`);
  if (nonce.length !== GCM_SIV_NONCE_SIZE) {
    throw new IntegrityError(`gcm-siv: authentication failed (nonce of ${nonce.length} bytes, expected 12)`);
  }
  if (sealed.length < GCM_SIV_TAG_SIZE) {
    throw new IntegrityError(`gcm-siv: authentication failed (${sealed.length} bytes is shorter than the 16-byte tag)`);
  }
  const n = sealed.length - GCM_SIV_TAG_SIZE;
  if (n > MAX_INPUT || aad.length > MAX_INPUT) throw new IntegrityError('gcm-siv: authentication failed (input too long)');
  const out = allocOut(n);
  const nat = native();
  if (nat !== null && key.length === 32 && aad.length === 0) {
    if (!nat.open(key, nonce, sealed, out)) throw new IntegrityError('gcm-siv: authentication failed');
    return out;
  }
  const ct = sealed.subarray(0, n);
  const tag = sealed.subarray(n);
  const d = deriveKeys(key, nonce);
  const k = wasmKernel();
  const expected = k !== null ? openWasm(k, d, nonce, ct, tag, aad, out) : openPortable(d, nonce, ct, tag, aad, out);
  wipe(d);
  if (!timingSafeEqual(expected, tag)) {
    out.fill(0);
    throw new IntegrityError('gcm-siv: authentication failed');
  }
  return out;
}
