/*
 * Kloset computes entropies with Go's math.Log2 = Log(frac)*(1/Ln2) + exp, and on amd64 Go's Log is
 * an assembly routine (math/log_amd64.s) whose rounding differs from V8's Math.log in the last bit
 * for some inputs. Both are reproduced here operation by operation, so the entropies stored in
 * objects, entries and summaries are bit-identical to Plakar's.
 */
import { native } from '../native/native.js';
import { ENTROPY_WASM } from './entropy-wasm.js';

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
/** Index of f64[0]'s high word in u32. */
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const HSQRT2 = 7.07106781186547524401e-1;
const LN2_HI = 6.93147180369123816490e-1;
const LN2_LO = 1.90821492927058770002e-10;
const L1 = 6.666666666666735130e-1;
const L2 = 3.999999999940941908e-1;
const L3 = 2.857142874366239149e-1;
const L4 = 2.222219843214978396e-1;
const L5 = 1.818357216161805012e-1;
const L6 = 1.531383769920937332e-1;
const L7 = 1.479819860511658591e-1;

/** frexp for positive normal x: x = frac * 2^exp, frac in [0.5, 1); frac is returned, exp is left in frexpExp. */
let frexpExp = 0;
function frexp(x: number): number {
  f64[0] = x;
  const hi = u32[HI]!;
  u32[HI] = (hi & 0x800fffff) | (1022 << 20);
  frexpExp = ((hi >>> 20) & 0x7ff) - 1022;
  return f64[0]!;
}

/** Go's archLog on amd64, for the positive normal arguments entropy needs. */
function goLog(x: number): number {
  let f1 = frexp(x);
  let k = frexpExp;
  if (!(HSQRT2 < f1)) {
    k -= 1;
    f1 *= 2;
  }
  const f = f1 - 1;
  const s = f / (2 + f);
  const s2 = s * s;
  const s4 = s2 * s2;
  const t1 = s2 * (((L7 * s4 + L5) * s4 + L3) * s4 + L1);
  const t2 = s4 * ((L6 * s4 + L4) * s4 + L2);
  const R = t1 + t2;
  const hfsq = 0.5 * f * f;
  return k * LN2_HI - ((hfsq - (s * (hfsq + R) + k * LN2_LO)) - f);
}

function goLog2(x: number): number {
  const frac = frexp(x);
  const exp = frexpExp;
  if (frac === 0.5) return exp - 1;
  return goLog(frac) * Math.LOG2E + exp;
}

const DATA = 4096;
const PAGE = 65536;
let kernel: { memory: WebAssembly.Memory; histogram(len: number): void } | undefined;

/** Byte counts of `data` in the WebAssembly kernel: four interleaved tables of 256 counters. */
function histogram(data: Uint8Array): Uint32Array {
  kernel ??= new WebAssembly.Instance(new WebAssembly.Module(ENTROPY_WASM)).exports as unknown as typeof kernel & object;
  const { memory } = kernel;
  const need = DATA + data.length - memory.buffer.byteLength;
  if (need > 0) memory.grow(Math.ceil(need / PAGE));
  new Uint8Array(memory.buffer, DATA, data.length).set(data);
  kernel.histogram(data.length);
  return new Uint32Array(memory.buffer, 0, 1024);
}

/** Shannon entropy of the bytes, in bits per byte, as Kloset computes it per chunk. */
export function entropy(data: Uint8Array): number {
  const nat = native();
  if (nat !== null) return nat.entropy(data);
  const n = data.length;
  if (n === 0) return 0;
  const h = histogram(data);
  let e = 0;
  // Frequencies are visited in byte order, as Go does: the float sum is the same to the last bit.
  for (let b = 0; b < 256; b++) {
    const f = h[b]! + h[256 + b]! + h[512 + b]! + h[768 + b]!;
    if (f > 0) {
      const p = f / n;
      e -= p * goLog2(p);
    }
  }
  return e;
}
