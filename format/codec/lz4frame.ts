import { native } from '../native/native.js';
import { LZ4_WASM } from './lz4-wasm.js';

/*
 * LZ4 frames (lz4_Frame_format.md v1.6), read and written.
 *
 * Written: around blocks compressed by the native addon
 * (format/native/lz4.c: the same blocks as the reference library's default compressor, straight
 * from the caller's memory to the frame) where it is built, else by the WebAssembly kernel of
 * lz4.wat (a simpler greedy parser: other, equally valid blocks). Compressing in our own memory,
 * not through an npm addon, matters for memory more than for speed: lz4-napi returned every
 * block in a fresh native buffer that V8 neither counts nor collects promptly, so a backup kept
 * hundreds of MB of dead output. Like pierrec/lz4's default writer (Kloset's), blocks are up to
 * 4 MiB; they are independent and carry no checksums, which the format makes optional.
 */

const MAX_BLOCK = 4 << 20;
/** Magic 0x184D2204; FLG: version 01, independent blocks; BD: 4 MiB blocks; HC = (xxh32(FLG ‖ BD) >> 8) & 0xff. */
const HEADER = [0x04, 0x22, 0x4d, 0x18, 0x60, 0x70, 0x73];
/** Set in a block's size word when the block is stored uncompressed. */
const STORED = 0x80000000;
/** The kernel's hash table; the input follows it, then the output. */
const TABLE = 16384;
const PAGE = 65536;
/** Frames up to this size (a chunk of the default 8 MiB maximum) are built in a reused buffer: chunks are encoded one after another. */
const SCRATCH_MAX = 9 << 20;

let kernel: { memory: WebAssembly.Memory; compress(src: number, len: number, dst: number): number } | undefined;
let scratch = new Uint8Array(0);

/** Worst-case compressed size of n bytes (lz4's LZ4_COMPRESSBOUND). */
function bound(n: number): number {
  return n + Math.floor(n / 255) + 16;
}

function putU32(out: Uint8Array, o: number, v: number): void {
  out[o] = v;
  out[o + 1] = v >>> 8;
  out[o + 2] = v >>> 16;
  out[o + 3] = v >>> 24;
}

function stored(piece: Uint8Array, out: Uint8Array, o: number): number {
  putU32(out, o, (piece.length | STORED) >>> 0);
  out.set(piece, o + 4);
  return o + 4 + piece.length;
}

/** Writes the block for `piece` (its size word, then its bytes) at out[o]; returns the position after it. */
function putBlock(piece: Uint8Array, out: Uint8Array, o: number): number {
  const nat = native();
  if (nat !== null) {
    const n = nat.lz4Block(piece, out, o + 4);
    if (n < piece.length) {
      putU32(out, o, n);
      return o + 4 + n;
    }
    return stored(piece, out, o);
  }
  kernel ??= new WebAssembly.Instance(new WebAssembly.Module(LZ4_WASM)).exports as unknown as typeof kernel & object;
  const src = TABLE;
  const dst = src + ((piece.length + 7) & ~7);
  const need = dst + bound(piece.length) - kernel.memory.buffer.byteLength;
  if (need > 0) kernel.memory.grow(Math.ceil(need / PAGE));
  const mem = new Uint8Array(kernel.memory.buffer);
  mem.set(piece, src);
  const n = kernel.compress(src, piece.length, dst);
  if (n >= piece.length) return stored(piece, out, o);
  putU32(out, o, n);
  out.set(mem.subarray(dst, dst + n), o + 4);
  return o + 4 + n;
}

/**
 * One LZ4 frame holding `data`. Up to SCRATCH_MAX bytes, the frame is a view of a buffer that the
 * next call reuses: copy it (or encrypt it) before compressing anything else.
 */
export function lz4Frame(data: Uint8Array): Uint8Array {
  let max = HEADER.length + 4;
  for (let p = 0; p < data.length; p += MAX_BLOCK) max += 4 + bound(Math.min(MAX_BLOCK, data.length - p));
  if (max <= SCRATCH_MAX && scratch.length < max) scratch = new Uint8Array(Math.min(SCRATCH_MAX, Math.max(max, 2 * scratch.length, 1 << 16)));
  const out = max <= SCRATCH_MAX ? scratch : new Uint8Array(max);
  out.set(HEADER, 0);
  let o = HEADER.length;
  for (let p = 0; p < data.length; p += MAX_BLOCK) o = putBlock(data.subarray(p, Math.min(p + MAX_BLOCK, data.length)), out, o);
  putU32(out, o, 0); // end mark
  return out.subarray(0, o + 4);
}

/**
 * lz4Frame() built from pieces, for data too big to hold at once (a large ptar's index and
 * state): blocks are cut at the same MAX_BLOCK boundaries, so the frame is byte for byte the one
 * lz4Frame() makes of the pieces joined. push() and end() return the frame's next bytes, in
 * arrays the caller owns.
 */
export class Lz4FrameStream {
  private block: Uint8Array | null = null;
  private used = 0;
  private started = false;

  push(data: Uint8Array): Uint8Array[] {
    const out = this.start();
    for (let p = 0; p < data.length; ) {
      this.block ??= new Uint8Array(MAX_BLOCK);
      const n = Math.min(MAX_BLOCK - this.used, data.length - p);
      this.block.set(data.subarray(p, p + n), this.used);
      this.used += n;
      p += n;
      if (this.used === MAX_BLOCK) out.push(this.flush());
    }
    return out;
  }

  end(): Uint8Array[] {
    const out = this.start();
    if (this.used > 0) out.push(this.flush());
    out.push(new Uint8Array(4)); // end mark
    this.block = null;
    return out;
  }

  private start(): Uint8Array[] {
    if (this.started) return [];
    this.started = true;
    return [Uint8Array.from(HEADER)];
  }

  private flush(): Uint8Array {
    const piece = this.block!.subarray(0, this.used);
    const out = new Uint8Array(4 + bound(piece.length));
    this.used = 0;
    return out.subarray(0, putBlock(piece, out, 0));
  }
}

/** Bytes a block decodes to at most, by the frame's block maximum size id (BD bits 6-4). */
const BLOCK_MAX: Record<number, number> = { 4: 64 << 10, 5: 256 << 10, 6: 1 << 20, 7: 4 << 20 };
const MAGIC = 0x184d2204;
/** Each byte of a compressed block yields at most 255 bytes (a length byte of 255), plus a token's worth. */
const MAX_RATIO = 255;
/** Output of unknown size is decoded here first, then copied out at its exact size... */
let decodeScratch = new Uint8Array(0);
/** ...up to this bound. */
const SCRATCH_KEEP = 16 << 20;

function getU32(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}

/**
 * The data of the LZ4 frame at the start of `frame`, as any conforming writer makes it: any block
 * size, independent or dependent blocks, with or without content size and block or content
 * checksums (not verified: a MAC checked before or after covers every byte). Throws, with what is wrong, on a malformed frame or one
 * decoding to more than `limit` bytes; nothing in the frame is trusted before it is checked.
 */
export function lz4Unframe(frame: Uint8Array, limit: number): Uint8Array {
  if (frame.length < 7) throw new Error('truncated LZ4 frame');
  if (getU32(frame, 0) !== MAGIC) throw new Error('not an LZ4 frame');
  const flg = frame[4]!;
  const bd = frame[5]!;
  if (flg >> 6 !== 1) throw new Error(`LZ4 frame version ${flg >> 6}`);
  if (flg & 1) throw new Error('LZ4 frames with a dictionary are not supported');
  const blockMax = BLOCK_MAX[(bd >> 4) & 7];
  if (blockMax === undefined || (bd & 0x8f) !== 0 || (flg & 0x02) !== 0) throw new Error('invalid LZ4 frame descriptor');
  const blockSums = (flg & 0x10) !== 0;
  let p = 6;
  let size = -1;
  if (flg & 0x08) {
    if (frame.length < p + 9) throw new Error('truncated LZ4 frame');
    const hi = getU32(frame, p + 4);
    size = hi >= 0x200000 ? Number.MAX_SAFE_INTEGER : hi * 2 ** 32 + getU32(frame, p);
    if (size > limit) throw new Error(`LZ4 frame of ${size} bytes, more than ${limit}`);
    p += 8;
  }
  p++; // header checksum

  // The blocks' extent first, and the most they can decode to.
  let bound = 0;
  const blocks: number[] = [];
  for (let q = p; ; ) {
    if (frame.length < q + 4) throw new Error('truncated LZ4 frame');
    const word = getU32(frame, q);
    q += 4;
    if (word === 0) {
      if (flg & 0x04) q += 4; // content checksum
      // Bytes after the frame are ignored, as Kloset's reader (pierrec/lz4) ignores them.
      if (q > frame.length) throw new Error('truncated LZ4 frame');
      break;
    }
    const len = word & ~STORED;
    if (len > blockMax) throw new Error('LZ4 block larger than its frame allows');
    if (frame.length < q + len + (blockSums ? 4 : 0)) throw new Error('truncated LZ4 frame');
    bound += word & STORED ? len : Math.min(blockMax, len * MAX_RATIO);
    blocks.push(q, word);
    q += len + (blockSums ? 4 : 0);
  }
  bound = Math.min(bound, limit);
  if (size >= 0 && size > bound) throw new Error('LZ4 frame shorter than its content size');

  // Small frames (blobs) go through a reused buffer and are copied out at their size; big ones (a
  // state, an index) are decoded in place, leaving at most a block's worth unused.
  const direct = size >= 0 || bound > SCRATCH_KEEP;
  let out: Uint8Array;
  if (direct) out = new Uint8Array(size >= 0 ? size : bound);
  else {
    if (decodeScratch.length < bound) decodeScratch = new Uint8Array(bound);
    out = decodeScratch;
  }
  const cap = size >= 0 ? size : bound;
  let o = 0;
  for (let i = 0; i < blocks.length; i += 2) {
    const at = blocks[i]!;
    const word = blocks[i + 1]!;
    const len = word & ~STORED;
    const src = frame.subarray(at, at + len);
    if (word & STORED) {
      if (o + len > cap) throw new Error(`LZ4 frame decodes to more than ${limit} bytes`);
      out.set(src, o);
      o += len;
    } else {
      const room = Math.min(cap, o + blockMax);
      const end = unblock(src, out, o, room);
      if (end < 0) throw new Error(room === limit ? `corrupt LZ4 block, or more than ${limit} bytes` : 'corrupt LZ4 block');
      o = end;
    }
  }
  if (size >= 0 && o !== size) throw new Error('LZ4 frame content size mismatch');
  return direct ? out.subarray(0, o) : out.slice(0, o);
}

/** One LZ4 block decoded into out[pos, cap), by the addon or else in JS; the position after it, or -1. */
function unblock(src: Uint8Array, out: Uint8Array, pos: number, cap: number): number {
  const nat = native();
  return nat !== null ? nat.lz4Unblock(src, out, pos, cap) : lz4UnblockJs(src, out, pos, cap);
}

/** The addon's lz4_unblock (format/native/lz4.c) in JS, for where the addon is not built: the same checks. */
export function lz4UnblockJs(src: Uint8Array, out: Uint8Array, pos: number, cap: number): number {
  let ip = 0;
  let op = pos;
  const end = src.length;
  const extend = (n: number): number => {
    for (;;) {
      if (ip >= end) return -1;
      const b = src[ip++]!;
      n += b;
      if (b !== 255) return n;
    }
  };
  for (;;) {
    if (ip >= end) return -1;
    const token = src[ip++]!;
    let lit = token >> 4;
    if (lit === 15 && (lit = extend(lit)) < 0) return -1;
    if (end - ip < lit || cap - op < lit) return -1;
    out.set(src.subarray(ip, ip + lit), op);
    op += lit;
    ip += lit;
    if (ip === end) return op;
    if (end - ip < 2) return -1;
    const off = src[ip]! | (src[ip + 1]! << 8);
    ip += 2;
    let len = token & 15;
    if (len === 15 && (len = extend(len)) < 0) return -1;
    len += 4;
    if (off === 0 || off > op || cap - op < len) return -1;
    if (off >= len) out.copyWithin(op, op - off, op - off + len);
    else for (let i = 0; i < len; i++) out[op + i] = out[op - off + i]!;
    op += len;
  }
}
