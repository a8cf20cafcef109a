// Byte-scanning primitives used by the content-type detector (format/snapshot/mimetype.ts).
//
// They reproduce the exact semantics of the helpers gabriel-vasile/mimetype v1.4.13 relies
// on (its internal scan package and a few Go standard library functions: bytes.Index,
// bytes.TrimSpace, utf8.Valid, ...), including their corner cases, because the detector must
// return exactly the string Plakar records for the same bytes.

/** Latin-1 string → bytes (every char code must be < 0x100). Used for signatures. */
export function bytesOf(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** HTML/XML whitespace: \t \n \f \r and space (not \v). */
export function isWS(c: number | undefined): boolean {
  return c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d || c === 0x20;
}

export function hasPrefix(raw: Uint8Array, sig: Uint8Array, at = 0): boolean {
  if (raw.length - at < sig.length) return false;
  for (let i = 0; i < sig.length; i++) if (raw[at + i] !== sig[i]) return false;
  return true;
}

/** The library's `offset`: the signature is found at `at` and the input is longer than `at`. */
export function hasAt(raw: Uint8Array, sig: Uint8Array, at: number): boolean {
  return raw.length > at && hasPrefix(raw, sig, at);
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** bytes.Index: first index of needle in hay (0 for an empty needle), or -1. */
export function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  const n = needle.length;
  if (n === 0) return 0;
  const first = needle[0]!;
  const last = hay.length - n;
  let i = 0;
  while (i <= last) {
    i = hay.indexOf(first, i);
    if (i === -1 || i > last) return -1;
    let j = 1;
    while (j < n && hay[i + j] === needle[j]) j++;
    if (j === n) return i;
    i++;
  }
  return -1;
}

export function contains(hay: Uint8Array, needle: Uint8Array): boolean {
  return indexOf(hay, needle) !== -1;
}

export function u16le(b: Uint8Array, at: number): number {
  return b[at]! | (b[at + 1]! << 8);
}
export function u16be(b: Uint8Array, at: number): number {
  return (b[at]! << 8) | b[at + 1]!;
}
export function u32le(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}
export function u32be(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

/** The first non-whitespace byte, or 0 when there is none. */
export function firstNonWS(b: Uint8Array): number {
  for (let i = 0; i < b.length; i++) if (!isWS(b[i])) return b[i]!;
  return 0;
}

export function trimLWS(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length && isWS(b[i])) i++;
  return i === 0 ? b : b.subarray(i);
}

/**
 * A byte slice that is consumed from the front, like the library's scan.Bytes used through a
 * pointer. `peek`/`pop` return 0 both at the end and on a NUL byte (pop still consumes it).
 */
export class Scanner {
  constructor(public b: Uint8Array) {}

  get length(): number {
    return this.b.length;
  }
  peek(): number {
    return this.b.length > 0 ? this.b[0]! : 0;
  }
  pop(): number {
    if (this.b.length === 0) return 0;
    const c = this.b[0]!;
    this.b = this.b.subarray(1);
    return c;
  }
  /** Advances by n when at least n bytes remain; otherwise leaves the input untouched. */
  advance(n: number): boolean {
    if (n < 0 || this.b.length < n) return false;
    this.b = this.b.subarray(n);
    return true;
  }
  trimLWS(): void {
    this.b = trimLWS(this.b);
  }
  skipWS(): void {
    while (isWS(this.peek())) this.advance(1);
  }
  /** Everything up to (not including) the first byte among `stop`, or the rest. */
  popUntil(stop: (c: number) => boolean): Uint8Array {
    const b = this.b;
    if (b.length === 0) return b;
    let i = 0;
    while (i < b.length && !stop(b[i]!)) i++;
    this.b = b.subarray(i);
    return b.subarray(0, i);
  }
  popUntilByte(stop: number): Uint8Array {
    const b = this.b;
    if (b.length === 0) return b;
    let i = b.indexOf(stop);
    if (i === -1) i = b.length;
    this.b = b.subarray(i);
    return b.subarray(0, i);
  }
  /** Like popUntilByte but the returned slice includes the stop byte. */
  readSlice(stop: number): Uint8Array {
    const b = this.b;
    if (b.length === 0) return b;
    let i = b.indexOf(stop);
    i = i === -1 ? b.length : i + 1;
    this.b = b.subarray(i);
    return b.subarray(0, i);
  }
  /** The next line without its "\n" (and one trailing "\r"); consumes the "\n". */
  line(): Uint8Array {
    let l = this.popUntilByte(0x0a);
    if (l.length > 0 && l[l.length - 1] === 0x0d) l = l.subarray(0, l.length - 1);
    this.advance(1);
    return l;
  }
  uint16(): number | undefined {
    if (this.b.length < 2) return undefined;
    const v = u16le(this.b, 0);
    this.b = this.b.subarray(2);
    return v;
  }
}

export const enum Flags {
  /** One whitespace in the pattern matches one or more whitespace bytes of the input. */
  CompactWS = 1,
  /** Upper-case pattern letters match both cases of the input (lower-case ones only lower). */
  IgnoreCase = 2,
  /** The match must be followed by whitespace or the end of the input. */
  FullWord = 4,
}

function upper(c: number): number {
  return c >= 0x61 && c <= 0x7a ? c - 0x20 : c;
}

/** How many bytes of `b` were needed to match pattern `p` at its start, or -1. */
export function match(b: Uint8Array, p: Uint8Array, flags: number): number {
  return matchAt(b, 0, p, flags);
}

/** match() on b[from..]: search() tries every start without a view per position. */
function matchAt(b: Uint8Array, from: number, p: Uint8Array, flags: number): number {
  const l = b.length;
  if (p.length === 0) return 0;
  if (l === from) return -1;
  let bi = from;
  let pi = 0;
  if (flags === 0 || (flags & Flags.FullWord) !== 0) {
    // The library does a plain prefix check here, even when CompactWS is also requested.
    if (!hasPrefix(b, p, from)) return -1;
    bi = from + p.length;
    pi = p.length;
  } else {
    while (bi < l) {
      if (pi === p.length) break;
      const pc = p[pi]!;
      if ((flags & Flags.IgnoreCase) !== 0 && pc >= 0x41 && pc <= 0x5a) {
        if (upper(b[bi]!) !== pc) return -1;
        bi++;
        pi++;
      } else if ((flags & Flags.CompactWS) !== 0 && isWS(pc)) {
        pi++;
        if (!isWS(b[bi])) return -1;
        bi++;
        if (!isWS(p[pi])) while (bi < l && isWS(b[bi])) bi++;
      } else {
        if (b[bi] !== pc) return -1;
        bi++;
        pi++;
      }
    }
  }
  if (pi < p.length) return -1;
  if ((flags & Flags.FullWord) !== 0 && bi < l && !isWS(b[bi])) return -1;
  return bi - from;
}

/** Index of the first position where `p` matches (see match), or -1. */
export function search(b: Uint8Array, p: Uint8Array, flags: number): number {
  const lb = b.length;
  const lp = p.length;
  if (lp === 0) return 0;
  if (lb === 0) return -1;
  if (flags === 0) return indexOf(b, p);
  for (let i = 0; i < lb; i++) {
    if (lb - i < lp) return -1;
    if (matchAt(b, i, p, flags) !== -1) return i;
  }
  return -1;
}

/** unicode.IsSpace for a decoded rune. */
function isUnicodeSpace(r: number): boolean {
  if (r <= 0xff) return r === 0x09 || r === 0x0a || r === 0x0b || r === 0x0c || r === 0x0d || r === 0x20 || r === 0x85 || r === 0xa0;
  return r === 0x1680 || (r >= 0x2000 && r <= 0x200a) || r === 0x2028 || r === 0x2029 || r === 0x202f || r === 0x205f || r === 0x3000;
}

/** Decodes one UTF-8 rune at i: [rune, size], rune = -1 when invalid (size 1). */
function decodeRune(b: Uint8Array, i: number, end: number): [number, number] {
  const c = b[i]!;
  if (c < 0x80) return [c, 1];
  const n = utf8SeqLen(b, i, end);
  if (n === 0) return [-1, 1];
  if (n === 2) return [((c & 0x1f) << 6) | (b[i + 1]! & 0x3f), 2];
  if (n === 3) return [((c & 0x0f) << 12) | ((b[i + 1]! & 0x3f) << 6) | (b[i + 2]! & 0x3f), 3];
  return [((c & 0x07) << 18) | ((b[i + 1]! & 0x3f) << 12) | ((b[i + 2]! & 0x3f) << 6) | (b[i + 3]! & 0x3f), 4];
}

/** Start of the last rune ending at `end` (exclusive), following utf8.DecodeLastRune. */
function decodeLastRune(b: Uint8Array, start: number, end: number): [number, number] {
  const c = b[end - 1]!;
  if (c < 0x80) return [c, 1];
  const lim = Math.max(start, end - 4);
  let s = end - 1;
  while (s > lim && (b[s]! & 0xc0) === 0x80) s--;
  if (s < start) s = start;
  const [r, size] = decodeRune(b, s, end);
  if (s + size !== end) return [-1, 1];
  return [r, size];
}

/** bytes.TrimSpace (Unicode white space, as Go defines it). */
export function trimSpace(b: Uint8Array): Uint8Array {
  let start = 0;
  let end = b.length;
  while (start < end) {
    const [r, size] = decodeRune(b, start, end);
    if (r < 0 || !isUnicodeSpace(r)) break;
    start += size;
  }
  while (end > start) {
    const [r, size] = decodeLastRune(b, start, end);
    if (r < 0 || !isUnicodeSpace(r)) break;
    end -= size;
  }
  return b.subarray(start, end);
}

/** Length of the valid UTF-8 sequence starting at i (utf8.Valid rules), 0 when invalid. */
function utf8SeqLen(b: Uint8Array, i: number, end: number): number {
  const c = b[i]!;
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => i + k < end && b[i + k]! >= lo && b[i + k]! <= hi;
  if (c < 0x80) return 1;
  if (c < 0xc2) return 0;
  if (c < 0xe0) return cont(1) ? 2 : 0;
  if (c < 0xf0) {
    const lo = c === 0xe0 ? 0xa0 : 0x80;
    const hi = c === 0xed ? 0x9f : 0xbf;
    return cont(1, lo, hi) && cont(2) ? 3 : 0;
  }
  if (c < 0xf5) {
    const lo = c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xf4 ? 0x8f : 0xbf;
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

/** utf8.Valid. */
export function utf8Valid(b: Uint8Array): boolean {
  let i = 0;
  const end = b.length;
  while (i < end) {
    if (b[i]! < 0x80) {
      i++;
      continue;
    }
    const n = utf8SeqLen(b, i, end);
    if (n === 0) return false;
    i += n;
  }
  return true;
}

const utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** Go string(bytes) as a JS string (invalid UTF-8 becomes U+FFFD). */
export function goString(b: Uint8Array): string {
  let ascii = true;
  for (let i = 0; i < b.length; i++) if (b[i]! >= 0x80) { ascii = false; break; }
  if (ascii) return String.fromCharCode(...b);
  return utf8Decoder.decode(b);
}
