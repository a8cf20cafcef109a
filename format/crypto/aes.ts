/**
 * AES encryption in a WebAssembly kernel (aes.wat), for what OpenSSL does badly through node:crypto:
 * many short jobs under ever-new keys. AES-GCM-SIV derives two keys per nonce and Kloset uses a
 * fresh subkey per blob, so a backup of small files sets up two ciphers per blob; a node:crypto
 * cipher costs ~3 µs to create and ~1.5 µs per call, more than a key schedule and a few blocks here.
 * Bulk keystream stays with OpenSSL (AES-NI), see gcmsiv.ts.
 *
 * The kernel is table-driven: its memory accesses depend on key and data, so it is not
 * constant-time against an attacker who can measure this process's cache timing (the same caveat
 * as the POLYVAL tables); it is meant for a local archive tool, not a server facing remote timing
 * oracles. Tests check it against OpenSSL and the FIPS 197 vectors.
 */
import { AES_WASM } from './aes-wasm.js';

const T = 0;
const SBOX = 4096;
const KEY = 4352;
/** Offsets of the counter block and the data area in the kernel's memory (see aes.wat). */
export const AES_CTR = 4624;
export const AES_DATA = 4640;

interface Exports {
  memory: WebAssembly.Memory;
  expand(nk: number): void;
  ecb(nblocks: number): void;
  ctr(len: number): void;
}

/** The S-box, from the multiplicative inverse and the affine map (FIPS 197 section 5.1.1). */
function makeSbox(): Uint8Array {
  const s = new Uint8Array(256);
  const rotl8 = (x: number, k: number): number => ((x << k) | (x >>> (8 - k))) & 0xff;
  // p runs through every nonzero element by multiplying by 3, q through their inverses.
  let p = 1;
  let q = 1;
  do {
    p = (p ^ (p << 1) ^ (p & 0x80 ? 0x1b : 0)) & 0xff;
    q ^= q << 1;
    q ^= q << 2;
    q ^= q << 4;
    q &= 0xff;
    if (q & 0x80) q ^= 0x09;
    s[p] = q ^ rotl8(q, 1) ^ rotl8(q, 2) ^ rotl8(q, 3) ^ rotl8(q, 4) ^ 0x63;
  } while (p !== 1);
  s[0] = 0x63;
  return s;
}

/** Round tables T0..T3 and the S-box, laid out as aes.wat expects. */
function fillTables(mem: Uint8Array): void {
  const sbox = makeSbox();
  // Little-endian words, as wasm loads read them.
  const t = new DataView(mem.buffer, T, 4096);
  for (let x = 0; x < 256; x++) {
    const s = sbox[x]!;
    const s2 = ((s << 1) ^ (s & 0x80 ? 0x1b : 0)) & 0xff;
    const t0 = (s2 | (s << 8) | (s << 16) | ((s2 ^ s) << 24)) >>> 0;
    for (let k = 0; k < 4; k++) t.setUint32(4 * (256 * k + x), ((t0 << (8 * k)) | (t0 >>> (32 - 8 * k))) >>> 0, true);
  }
  mem.set(sbox, SBOX);
}

/**
 * The kernel: one key at a time (setKey), blocks encrypted in place in its data area. A
 * singleton used synchronously: nothing stays in it between two calls of its users.
 */
export class AesKernel {
  readonly mem: Uint8Array;
  private readonly ex: Exports;

  constructor() {
    this.ex = new WebAssembly.Instance(new WebAssembly.Module(AES_WASM)).exports as unknown as Exports;
    this.mem = new Uint8Array(this.ex.memory.buffer);
    fillTables(this.mem);
  }

  /** Expands a 16- or 32-byte key; later ecb() and ctr() calls encrypt under it. */
  setKey(key: Uint8Array): void {
    this.mem.set(key, KEY);
    this.ex.expand(key.length >>> 2);
  }

  /** Encrypts `nblocks` blocks at AES_DATA in place. */
  ecb(nblocks: number): void {
    this.ex.ecb(nblocks);
  }

  /**
   * XORs AES_DATA[0, len) with the GCM-SIV keystream from the counter block at AES_CTR (advanced
   * past it); len is at most 60880 (the data area ends 16 bytes before the page does).
   */
  ctr(len: number): void {
    this.ex.ctr(len);
  }
}

let kernel: AesKernel | undefined;

export function aesKernel(): AesKernel {
  return (kernel ??= new AesKernel());
}
