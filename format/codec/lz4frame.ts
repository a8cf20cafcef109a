import { native } from '../native/native.js';
import { LZ4_WASM } from './lz4-wasm.js';

/*
 * LZ4 frames (lz4_Frame_format.md v1.6) around blocks compressed by the native addon
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
