/**
 * Throughput of the crypto primitives on 64 MiB of data in 64 KiB chunks (Kloset's chunk size),
 * each chunk sealed under a fresh nonce as the storage layer does.
 *
 *   npm run build && node dist/bench/crypto.js [MiB]
 *
 * Prints MB/s (10^6 bytes per second), the median of three runs after a warm-up.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { gcmsiv as nobleGcmsiv } from '@noble/ciphers/aes.js';
import { blake3 as nobleBlake3 } from '@noble/hashes/blake3.js';
import { blake3Backend, blake3Keyed, setBlake3PreferJs } from '../format/crypto/blake3.js';
import { gcmSivOpen, gcmSivSeal } from '../format/crypto/gcmsiv.js';
import { polyvalBackend, polyvalSiv, setPolyvalBackend } from '../format/crypto/polyval.js';

const CHUNK = 64 * 1024;
const totalMiB = Number(process.argv[2] ?? 64);
const TOTAL = totalMiB * 1024 * 1024;
const N = TOTAL / CHUNK;

const data = randomBytes(TOTAL);
const chunks: Uint8Array[] = [];
for (let i = 0; i < N; i++) chunks.push(data.subarray(i * CHUNK, (i + 1) * CHUNK));
const nonces: Uint8Array[] = chunks.map(() => randomBytes(12));
const key = randomBytes(32);
const EMPTY = new Uint8Array(0);

function measure(name: string, bytes: number, fn: () => void): void {
  fn(); // warm-up (JIT, wasm tier-up, lazy initialisation)
  const times: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t0 = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  times.sort((a, b) => a - b);
  const s = times[1]!;
  console.log(`${name.padEnd(44)} ${(bytes / s / 1e6).toFixed(0).padStart(6)} MB/s  (${(s * 1000).toFixed(0)} ms for ${bytes / 1048576} MiB)`);
}

console.log(`node ${process.version}, ${totalMiB} MiB in ${N} chunks of 64 KiB; POLYVAL back end: ${polyvalBackend()}, BLAKE3: ${blake3Backend()}`);

// AES-256-GCM-SIV, this implementation.
const sealed: Uint8Array[] = chunks.map((c, i) => gcmSivSeal(key, nonces[i]!, c));
measure('GCM-SIV seal (wasm POLYVAL)', TOTAL, () => {
  for (let i = 0; i < N; i++) gcmSivSeal(key, nonces[i]!, chunks[i]!);
});
measure('GCM-SIV open (wasm POLYVAL)', TOTAL, () => {
  for (let i = 0; i < N; i++) gcmSivOpen(key, nonces[i]!, sealed[i]!);
});
setPolyvalBackend('js');
measure('GCM-SIV seal (pure-TS POLYVAL fallback)', TOTAL, () => {
  for (let i = 0; i < N; i++) gcmSivSeal(key, nonces[i]!, chunks[i]!);
});
measure('GCM-SIV open (pure-TS POLYVAL fallback)', TOTAL, () => {
  for (let i = 0; i < N; i++) gcmSivOpen(key, nonces[i]!, sealed[i]!);
});
setPolyvalBackend(undefined);

// @noble/ciphers gcmsiv (the reference) on a quarter of the data: it is slow.
const nobleN = Math.max(1, N >> 2);
measure('@noble/ciphers gcmsiv seal', nobleN * CHUNK, () => {
  for (let i = 0; i < nobleN; i++) nobleGcmsiv(key, nonces[i]!).encrypt(chunks[i]!);
});
measure('@noble/ciphers gcmsiv open', nobleN * CHUNK, () => {
  for (let i = 0; i < nobleN; i++) nobleGcmsiv(key, nonces[i]!).decrypt(sealed[i]!);
});

// node's AES-256-GCM (OpenSSL), for comparison.
const gcmSealed = chunks.map((c, i) => {
  const e = createCipheriv('aes-256-gcm', key, nonces[i]!);
  return { ct: Buffer.concat([e.update(c), e.final()]), tag: e.getAuthTag() };
});
measure('node aes-256-gcm seal', TOTAL, () => {
  for (let i = 0; i < N; i++) {
    const e = createCipheriv('aes-256-gcm', key, nonces[i]!);
    e.update(chunks[i]!);
    e.final();
    e.getAuthTag();
  }
});
measure('node aes-256-gcm open', TOTAL, () => {
  for (let i = 0; i < N; i++) {
    const d = createDecipheriv('aes-256-gcm', key, nonces[i]!);
    d.setAuthTag(gcmSealed[i]!.tag);
    d.update(gcmSealed[i]!.ct);
    d.final();
  }
});

// POLYVAL alone, a fresh key per chunk (as GCM-SIV derives one per nonce).
const hkeys = chunks.map(() => randomBytes(16));
const out16 = new Uint8Array(16);
measure('POLYVAL, wasm SIMD (new key per chunk)', TOTAL, () => {
  for (let i = 0; i < N; i++) polyvalSiv(hkeys[i]!, EMPTY, chunks[i]!, out16, 'wasm');
});
measure('POLYVAL, pure TS (new key per chunk)', TOTAL, () => {
  for (let i = 0; i < N; i++) polyvalSiv(hkeys[i]!, EMPTY, chunks[i]!, out16, 'js');
});

// Keyed BLAKE3: one MAC per chunk.
measure('keyed BLAKE3, native (a MAC per chunk)', TOTAL, () => {
  for (let i = 0; i < N; i++) {
    const h = blake3Keyed(key);
    h.update(chunks[i]!);
    h.digest();
  }
});
setBlake3PreferJs(true);
measure('keyed BLAKE3, @noble/hashes (a MAC per chunk)', TOTAL, () => {
  for (let i = 0; i < N; i++) {
    const h = blake3Keyed(key);
    h.update(chunks[i]!);
    h.digest();
  }
});
setBlake3PreferJs(false);
measure('keyed BLAKE3, @noble/hashes one-shot', TOTAL, () => {
  for (let i = 0; i < N; i++) nobleBlake3(chunks[i]!, { key });
});
