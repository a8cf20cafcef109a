/** Go's math.Frexp/Log2, so entropies come out bit-identical to Kloset's (not V8's Math.log2). */
const bits = new DataView(new ArrayBuffer(8));

function goLog2(x: number): number {
  bits.setFloat64(0, x);
  const hi = bits.getUint32(0);
  let exp = ((hi >>> 20) & 0x7ff) - 1022;
  bits.setUint32(0, (hi & 0x800fffff) | (1022 << 20));
  const frac = bits.getFloat64(0);
  if (frac === 0.5) return exp - 1;
  return Math.log(frac) * (1 / Math.LN2) + exp;
}

/** Shannon entropy of the bytes, in bits per byte, as Kloset computes it per chunk. */
export function entropy(data: Uint8Array): number {
  if (data.length === 0) return 0;
  const freq = new Uint32Array(256);
  for (let i = 0; i < data.length; i++) freq[data[i]!]!++;
  let e = 0;
  const n = data.length;
  for (let i = 0; i < 256; i++) {
    const f = freq[i]!;
    if (f > 0) {
      const p = f / n;
      e -= p * goLog2(p);
    }
  }
  return e;
}
