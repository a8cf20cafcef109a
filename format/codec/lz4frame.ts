import { compressSync } from 'lz4-napi';

/*
 * LZ4 frames (lz4_Frame_format.md v1.6) built around lz4-napi's block compressor: the block API runs
 * about twice as fast as its frame encoder (which also cuts 64 KiB blocks), so the frame is
 * written here. Like pierrec/lz4's default writer (Kloset's), blocks are up to 4 MiB; they are
 * independent and carry no checksums, which the format makes optional.
 */

const MAX_BLOCK = 4 << 20;
/** Magic 0x184D2204; FLG: version 01, independent blocks; BD: 4 MiB blocks; HC = (xxh32(FLG ‖ BD) >> 8) & 0xff. */
const HEADER = [0x04, 0x22, 0x4d, 0x18, 0x60, 0x70, 0x73];
/** Set in a block's size word when the block is stored uncompressed. */
const STORED = 0x80000000;

/** The block for `piece`: compressed, or the piece itself (flagged stored) when that is not smaller. */
function block(piece: Uint8Array): { bytes: Uint8Array; stored: boolean } {
  // compressSync prefixes the block with its decoded size (4 bytes), which the frame does not want.
  const packed = compressSync(Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength));
  const n = packed.length - 4;
  if (n >= piece.length) return { bytes: piece, stored: true };
  return { bytes: new Uint8Array(packed.buffer, packed.byteOffset + 4, n), stored: false };
}

function putU32(out: Uint8Array, o: number, v: number): void {
  out[o] = v;
  out[o + 1] = v >>> 8;
  out[o + 2] = v >>> 16;
  out[o + 3] = v >>> 24;
}

/** Frames up to this size are built in a reused buffer: chunks are encoded one after another. */
const SCRATCH_MAX = 16 << 20;
let scratch = new Uint8Array(0);

/**
 * One LZ4 frame holding `data`. Up to SCRATCH_MAX bytes, the frame is a view of a buffer that the
 * next call reuses: copy it (or encrypt it) before compressing anything else.
 */
export function lz4Frame(data: Uint8Array): Uint8Array {
  const blocks = [];
  let size = HEADER.length + 4;
  for (let p = 0; p < data.length; p += MAX_BLOCK) {
    const b = block(p === 0 && data.length <= MAX_BLOCK ? data : data.subarray(p, Math.min(p + MAX_BLOCK, data.length)));
    blocks.push(b);
    size += 4 + b.bytes.length;
  }
  if (size <= SCRATCH_MAX && scratch.length < size) scratch = new Uint8Array(Math.min(SCRATCH_MAX, Math.max(size, 2 * scratch.length, 1 << 16)));
  const out = size <= SCRATCH_MAX ? scratch.subarray(0, size) : new Uint8Array(size);
  out.set(HEADER, 0);
  let o = HEADER.length;
  for (const b of blocks) {
    putU32(out, o, b.stored ? b.bytes.length | STORED : b.bytes.length);
    out.set(b.bytes, o + 4);
    o += 4 + b.bytes.length;
  }
  putU32(out, o, 0); // end mark
  return out;
}
