import type { GoTime } from '../gotime.js';

/*
 * A msgpack writer that reproduces, byte for byte, what Go's github.com/vmihailenco/msgpack/v5
 * (v5.4.1, default encoder: msgpack.Marshal) writes. Each method names the Go type being encoded,
 * because that library preserves the width of the Go type rather than choosing the shortest form:
 *
 *   uint8 → cc, uint16 → cd, uint32 → ce, uint64 → cf, int8 → d0, int16 → d1, int32 → d2,
 *   int64 → d3 (encode_number.go encodeXxxCond without UseCompactInts; time.Duration, of kind
 *   int64, is d3 too); Go `int`/`uint` → shortest form (encode_value.go: EncodeInt/EncodeUint);
 *   float64 → cb, float32 → ca (no UseCompactFloats);
 *   string → fixstr (< 32 bytes) / str8 d9 (< 256) / str16 da (≤ 65535) / str32 db (encode_slice.go);
 *   []byte → bin8 c4 (< 256) / bin16 c5 / bin32 c6, nil []byte → c0; [N]byte → bin of length N;
 *   arrays → fixarray (< 16) / array16 dc / array32 dd; nil slice → c0, empty slice → 90;
 *   maps and structs → fixmap (< 16) / map16 de / map32 df (encode_map.go);
 *   time.Time → timestamp extension -1 (time.go): d6 ff + u32 seconds when nsec == 0 and
 *   0 ≤ sec < 2^32; d7 ff + u64 (nsec << 34 | sec) when 0 ≤ sec < 2^34; otherwise c7 0c ff + u32
 *   nsec + u64 seconds (two's complement for times before 1970).
 *
 * Struct keys, their order and omitempty are the caller's business (see snapshot/serialize.ts).
 * The buffer grows geometrically and is reused across finish() calls, so a long-lived writer costs
 * no allocation per value; finish() copies the record out into a shared slab (see allocResult).
 */

const TWO32 = 0x1_0000_0000;
const TWO34 = 0x4_0000_0000;
const MAX_U64 = (1n << 64n) - 1n;
const MIN_I64 = -(1n << 63n);
const MAX_I64 = (1n << 63n) - 1n;

const utf8 = new TextEncoder();

/*
 * Results of finish() are carved out of shared slabs, as Node does for small Buffers: allocating a
 * fresh ArrayBuffer per record costs more than serializing it. Each result is a plain Uint8Array
 * view (with its own byteOffset) and keeps its slab alive.
 */
const SLAB_SIZE = 64 * 1024;
const SLAB_MAX_RESULT = 4 * 1024;
let slab = new Uint8Array(SLAB_SIZE);
let slabPos = 0;

function allocResult(n: number): Uint8Array {
  if (n > SLAB_MAX_RESULT) return new Uint8Array(n);
  if (slabPos + n > SLAB_SIZE) {
    slab = new Uint8Array(SLAB_SIZE);
    slabPos = 0;
  }
  const out = new Uint8Array(slab.buffer, slabPos, n);
  slabPos = (slabPos + n + 7) & ~7;
  return out;
}

/** UTF-8 length of a JS string, counting a lone surrogate as U+FFFD (3 bytes), as TextEncoder does. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

function rangeError(what: string, v: number | bigint): never {
  throw new RangeError(`gopack: ${String(v)} is not a valid ${what}`);
}

export class GoPack {
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;

  constructor(initialSize = 1024) {
    this.buf = new Uint8Array(Math.max(16, initialSize));
    this.view = new DataView(this.buf.buffer);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.pos;
  }

  /**
   * A copy of the bytes written since the last finish()/reset(); the writer is then empty again.
   * Small results are views into a shared slab (mind byteOffset when using `.buffer`).
   */
  finish(): Uint8Array {
    const n = this.pos;
    const out = allocResult(n);
    const b = this.buf;
    if (n <= 256) for (let i = 0; i < n; i++) out[i] = b[i]!;
    else out.set(b.subarray(0, n));
    this.pos = 0;
    return out;
  }

  reset(): this {
    this.pos = 0;
    return this;
  }

  private ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const nb = new Uint8Array(size);
    nb.set(this.buf.subarray(0, this.pos));
    this.buf = nb;
    this.view = new DataView(nb.buffer);
  }

  private code(c: number): void {
    this.ensure(1);
    this.buf[this.pos++] = c;
  }

  private w1(c: number, v: number): void {
    this.ensure(2);
    this.buf[this.pos] = c;
    this.buf[this.pos + 1] = v;
    this.pos += 2;
  }

  private w2(c: number, v: number): void {
    this.ensure(3);
    this.buf[this.pos] = c;
    this.view.setUint16(this.pos + 1, v);
    this.pos += 3;
  }

  private w4(c: number, v: number): void {
    this.ensure(5);
    this.buf[this.pos] = c;
    this.view.setUint32(this.pos + 1, v);
    this.pos += 5;
  }

  /** code + 8 bytes big-endian of a non-negative safe integer or a bigint (two's complement). */
  private w8(c: number, v: number | bigint): void {
    this.ensure(9);
    this.buf[this.pos] = c;
    if (typeof v === 'bigint') {
      // callers have range-checked v: negative values are int64s, the rest fit a uint64
      if (v < 0n) this.view.setBigInt64(this.pos + 1, v);
      else this.view.setBigUint64(this.pos + 1, v);
    } else {
      const hi = Math.floor(v / TWO32);
      this.view.setInt32(this.pos + 1, hi | 0);
      this.view.setUint32(this.pos + 5, v - hi * TWO32);
    }
    this.pos += 9;
  }

  /** Appends already encoded msgpack bytes (e.g. a pre-encoded map key). */
  raw(bytes: Uint8Array): this {
    const n = bytes.length;
    this.ensure(n);
    if (n <= 24) {
      // short (map keys, MACs): a plain loop beats TypedArray.set's call overhead
      const b = this.buf;
      let p = this.pos;
      for (let i = 0; i < n; i++) b[p++] = bytes[i]!;
    } else this.buf.set(bytes, this.pos);
    this.pos += n;
    return this;
  }

  nil(): this {
    this.code(0xc0);
    return this;
  }

  bool(v: boolean): this {
    this.code(v ? 0xc3 : 0xc2);
    return this;
  }

  // ---- fixed-width Go integer types ----

  u8(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xff) rangeError('uint8', v);
    this.w1(0xcc, v);
    return this;
  }

  u16(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) rangeError('uint16', v);
    this.w2(0xcd, v);
    return this;
  }

  u32(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff_ffff) rangeError('uint32', v);
    this.w4(0xce, v);
    return this;
  }

  u64(v: number | bigint): this {
    if (typeof v === 'bigint' ? v < 0n || v > MAX_U64 : !Number.isSafeInteger(v) || v < 0) rangeError('uint64', v);
    this.w8(0xcf, v);
    return this;
  }

  i8(v: number): this {
    if (!Number.isInteger(v) || v < -0x80 || v > 0x7f) rangeError('int8', v);
    this.w1(0xd0, v & 0xff);
    return this;
  }

  i16(v: number): this {
    if (!Number.isInteger(v) || v < -0x8000 || v > 0x7fff) rangeError('int16', v);
    this.w2(0xd1, v & 0xffff);
    return this;
  }

  i32(v: number): this {
    if (!Number.isInteger(v) || v < -0x8000_0000 || v > 0x7fff_ffff) rangeError('int32', v);
    this.w4(0xd2, v >>> 0);
    return this;
  }

  i64(v: number | bigint): this {
    if (typeof v === 'bigint' ? v < MIN_I64 || v > MAX_I64 : !Number.isSafeInteger(v)) rangeError('int64', v);
    this.w8(0xd3, v);
    return this;
  }

  /** time.Duration inside a struct: its kind is int64, so it is written like an int64 (d3). */
  duration(ns: number | bigint): this {
    return this.i64(ns);
  }

  // ---- Go int / uint: shortest form ----

  /** Go `uint` (EncodeUint): positive fixint, then cc / cd / ce / cf. */
  uint(v: number | bigint): this {
    if (typeof v === 'bigint') {
      if (v < 0n || v > MAX_U64) rangeError('uint', v);
      if (v > 0xffff_ffffn) {
        this.w8(0xcf, v);
        return this;
      }
      v = Number(v);
    } else if (!Number.isSafeInteger(v) || v < 0) rangeError('uint', v);
    if (v <= 0x7f) this.code(v);
    else if (v <= 0xff) this.w1(0xcc, v);
    else if (v <= 0xffff) this.w2(0xcd, v);
    else if (v <= 0xffff_ffff) this.w4(0xce, v);
    else this.w8(0xcf, v);
    return this;
  }

  /** Go `int` (EncodeInt): non-negative as `uint`; negative fixint (≥ -32), then d0 / d1 / d2 / d3. */
  int(v: number | bigint): this {
    if (typeof v === 'bigint') {
      if (v < MIN_I64 || v > MAX_I64) rangeError('int', v);
      if (v >= 0n) return this.uint(v);
      if (v < -0x8000_0000n) {
        this.w8(0xd3, v);
        return this;
      }
      v = Number(v);
    } else if (!Number.isSafeInteger(v)) rangeError('int', v);
    if (v >= 0) return this.uint(v);
    if (v >= -32) this.code(v & 0xff);
    else if (v >= -0x80) this.w1(0xd0, v & 0xff);
    else if (v >= -0x8000) this.w2(0xd1, v & 0xffff);
    else if (v >= -0x8000_0000) this.w4(0xd2, v >>> 0);
    else this.w8(0xd3, v);
    return this;
  }

  // ---- floats ----

  f64(v: number): this {
    this.ensure(9);
    this.buf[this.pos] = 0xcb;
    this.view.setFloat64(this.pos + 1, v);
    this.pos += 9;
    return this;
  }

  f32(v: number): this {
    this.ensure(5);
    this.buf[this.pos] = 0xca;
    this.view.setFloat32(this.pos + 1, v);
    this.pos += 5;
    return this;
  }

  // ---- strings, bytes ----

  private strLen(n: number): void {
    if (n < 32) this.code(0xa0 | n);
    else if (n < 0x100) this.w1(0xd9, n);
    else if (n <= 0xffff) this.w2(0xda, n);
    else this.w4(0xdb, n);
  }

  /** Go string (UTF-8). */
  str(s: string): this {
    // Optimistically ASCII: then the byte length is s.length and one pass copies it.
    const start = this.pos;
    const len = s.length;
    this.strLen(len);
    this.ensure(len);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < len; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.pos = start;
        return this.strUtf8(s);
      }
      b[p++] = c;
    }
    this.pos = p;
    return this;
  }

  private strUtf8(s: string): this {
    const n = utf8Length(s);
    this.strLen(n);
    this.ensure(n);
    utf8.encodeInto(s, this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return this;
  }

  /** A Go string holding arbitrary bytes (e.g. a file name that is not valid UTF-8). */
  strBytes(b: Uint8Array): this {
    this.strLen(b.length);
    return this.raw(b);
  }

  private binLen(n: number): void {
    if (n < 0x100) this.w1(0xc4, n);
    else if (n <= 0xffff) this.w2(0xc5, n);
    else this.w4(0xc6, n);
  }

  /** Go []byte: nil (null) → c0, otherwise bin8/16/32 (an empty non-nil slice is c4 00). */
  bin(b: Uint8Array | null): this {
    if (b === null) return this.nil();
    this.binLen(b.length);
    return this.raw(b);
  }

  /**
   * Go [size]byte (a MAC is [32]byte, a uuid.UUID marshals as its 16 bytes): always a bin of exactly
   * `size` bytes, never nil. Shorter input is zero-padded, as Go's decoder would have left it.
   */
  fixedBin(b: Uint8Array | null, size: number): this {
    if (b !== null && b.length > size) throw new RangeError(`gopack: ${b.length} bytes do not fit a [${size}]byte`);
    this.binLen(size);
    this.ensure(size);
    const out = this.buf;
    const p = this.pos;
    const n = b === null ? 0 : b.length;
    if (size <= 64) {
      for (let i = 0; i < n; i++) out[p + i] = b![i]!;
      for (let i = n; i < size; i++) out[p + i] = 0;
    } else {
      if (b !== null) out.set(b, p);
      out.fill(0, p + n, p + size);
    }
    this.pos = p + size;
    return this;
  }

  // ---- containers ----

  /** Array header (fixarray / dc / dd) for a non-nil slice or array of n elements. */
  array(n: number): this {
    if (n < 16) this.code(0x90 | n);
    else if (n <= 0xffff) this.w2(0xdc, n);
    else this.w4(0xdd, n);
    return this;
  }

  /** Map header (fixmap / de / df) for a map or struct with n (non-omitted) fields. */
  map(n: number): this {
    if (n < 16) this.code(0x80 | n);
    else if (n <= 0xffff) this.w2(0xde, n);
    else this.w4(0xdf, n);
    return this;
  }

  /** Go []string: nil → c0, otherwise an array of strings. */
  strArray(ss: readonly string[] | null): this {
    if (ss === null) return this.nil();
    this.array(ss.length);
    for (const s of ss) this.str(s);
    return this;
  }

  // ---- time ----

  /** Go time.Time as msgpack timestamp extension -1 (see the header comment for the three forms). */
  time(t: GoTime): this {
    const sec = t.sec;
    const nsec = t.nsec;
    if (!Number.isSafeInteger(sec) || !Number.isInteger(nsec) || nsec < 0 || nsec > 999_999_999) {
      throw new RangeError(`gopack: invalid time ${sec}s ${nsec}ns`);
    }
    if (sec >= 0 && sec < TWO34) {
      if (nsec === 0 && sec < TWO32) {
        this.ensure(6);
        this.buf[this.pos] = 0xd6;
        this.buf[this.pos + 1] = 0xff;
        this.view.setUint32(this.pos + 2, sec);
        this.pos += 6;
        return this;
      }
      // nsec << 34 | sec: nsec fills the upper 30 bits, sec the lower 34.
      this.ensure(10);
      this.buf[this.pos] = 0xd7;
      this.buf[this.pos + 1] = 0xff;
      const hi = nsec * 4 + Math.floor(sec / TWO32); // (nsec << 34 | sec) >> 32
      this.view.setUint32(this.pos + 2, hi);
      this.view.setUint32(this.pos + 6, sec % TWO32);
      this.pos += 10;
      return this;
    }
    this.ensure(15);
    this.buf[this.pos] = 0xc7;
    this.buf[this.pos + 1] = 12;
    this.buf[this.pos + 2] = 0xff;
    this.view.setUint32(this.pos + 3, nsec);
    this.view.setBigInt64(this.pos + 7, BigInt(sec));
    this.pos += 15;
    return this;
  }
}

/** The complete msgpack encoding of a string, for constant map keys written with GoPack.raw. */
export function packedStr(s: string): Uint8Array {
  return new GoPack(utf8Length(s) + 8).str(s).finish();
}
