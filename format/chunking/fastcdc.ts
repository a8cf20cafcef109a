/**
 * Content-defined chunking with the exact cut points of github.com/PlakarKorp/go-cdc-chunkers
 * (v1.0.x), the way Kloset consumes it: `Reset(reader)` then `Next()` until EOF, keeping every
 * non-nil chunk. Two algorithms:
 *
 * - `fastcdc-v1.0.0` (Kloset v1.1 default, 512 KiB / 1 MiB / 8 MiB): masks derived from the normal
 *   size with normalisation level 2;
 * - `fastcdc` (legacy, `FASTCDC` in Kloset v1.0 configurations, 64 KiB / 1 MiB / 4 MiB): the fixed
 *   masks 0x0003590703530000 / 0x0000d90003530000 whatever the sizes.
 *
 * Cut rule, for a chunk starting at offset 0 of the remaining input of length n (the Go driver
 * peeks at most maxSize bytes, fewer only at the end of the stream):
 * - n <= minSize: the chunk is the whole rest;
 * - otherwise fp = 0, and for i = minSize .. min(n, maxSize) - 1: fp = (fp << 1) + G[data[i]]
 *   (uint64, wrapping), with maskS while i < normalSize and maskL from normalSize on; the first i
 *   with (fp & mask) == 0 ends the chunk *before* byte i (the chunk has i bytes);
 * - no such i: the chunk has min(n, maxSize) bytes.
 * An empty stream yields one empty chunk; a stream ending exactly on a cut yields nothing more.
 *
 * Byte i's verdict depends only on bytes [minSize, i] of the chunk, never on n, so the streaming
 * Chunker scans each byte once, as it arrives, and the cut points cannot depend on how the input was
 * split into push() calls.
 *
 * The hot loop is a tiny WebAssembly module (fastcdc.wat, embedded as fastcdc-wasm.ts) using native
 * i64 arithmetic: in plain JS the 64-bit add needs two 32-bit halves plus a carry and runs several
 * times slower.
 */
import { UnsupportedError } from '../errors.js';
import { FASTCDC_WASM } from './fastcdc-wasm.js';
import { GEAR_HI, GEAR_LO } from './gear.js';

export interface ChunkingParams {
  algorithm: string;
  minSize: number;
  normalSize: number;
  maxSize: number;
}

/** Largest maxSize accepted (the Go code accepts more, but no Plakar default comes near this). */
export const MAX_CHUNK_SIZE_LIMIT = 64 * 1024 * 1024;

/** A 64-bit mask as unsigned 32-bit halves. */
interface Mask64 {
  hi: number;
  lo: number;
}

/** Masks used by legacy `fastcdc`, and by every FastCDC variant for the 2 KiB / 8 KiB / 64 KiB sizes. */
const LEGACY_MASK_S: Mask64 = { hi: 0x00035907, lo: 0x03530000 };
const LEGACY_MASK_L: Mask64 = { hi: 0x0000d900, lo: 0x03530000 };
const NORMAL_LEVEL = 2;

/**
 * A 64-bit mask with `oneCount` bits set, spread from bit 63 downwards every floor(64 / oneCount)
 * bits (go-cdc-chunkers' generateSpacedMask); 0 for oneCount <= 0, all ones for oneCount >= 64.
 */
export function spacedMask(oneCount: number): Mask64 {
  if (oneCount >= 64) return { hi: 0xffffffff, lo: 0xffffffff };
  let hi = 0;
  let lo = 0;
  if (oneCount > 0) {
    const step = Math.floor(64 / oneCount);
    for (let k = 0; k < oneCount; k++) {
      const bit = 63 - k * step;
      if (bit >= 32) hi |= 1 << (bit - 32);
      else lo |= 1 << bit;
    }
  }
  return { hi: hi >>> 0, lo: lo >>> 0 };
}

/** The (maskS, maskL) pair of `fastcdc-v1.0.0` for a normal size: floor(log2(normal)) ± 2 bits. */
export function normalizedMasks(normalSize: number): { maskS: Mask64; maskL: Mask64 } {
  const bits = 31 - Math.clz32(normalSize); // floor(log2), exact
  return { maskS: spacedMask(bits + NORMAL_LEVEL), maskL: spacedMask(bits - NORMAL_LEVEL) };
}

interface Resolved {
  minSize: number;
  normalSize: number;
  maxSize: number;
  maskS: Mask64;
  maskL: Mask64;
}

function resolve(params: ChunkingParams): Resolved {
  const algorithm = String(params.algorithm).toLowerCase();
  if (algorithm !== 'fastcdc' && algorithm !== 'fastcdc-v1.0.0') {
    throw new UnsupportedError(
      `unsupported chunking algorithm ${JSON.stringify(params.algorithm)} (supported: fastcdc-v1.0.0, fastcdc)`,
    );
  }
  const { minSize, normalSize, maxSize } = params;
  const sizes = `min ${minSize}, normal ${normalSize}, max ${maxSize}`;
  if (![minSize, normalSize, maxSize].every((v) => Number.isSafeInteger(v) && v > 0)) {
    throw new UnsupportedError(`invalid ${algorithm} chunking sizes (${sizes}): each must be a positive integer`);
  }
  if (!(minSize <= normalSize && normalSize <= maxSize)) {
    throw new UnsupportedError(`invalid ${algorithm} chunking sizes (${sizes}): need min <= normal <= max`);
  }
  if (maxSize > MAX_CHUNK_SIZE_LIMIT) {
    throw new UnsupportedError(
      `unsupported ${algorithm} chunking sizes (${sizes}): max must be at most ${MAX_CHUNK_SIZE_LIMIT} bytes`,
    );
  }
  // go-cdc-chunkers falls back to the fixed masks for the legacy chunker, and also for its own
  // default sizes whatever the variant.
  const fixed = algorithm === 'fastcdc' || (minSize === 2048 && normalSize === 8192 && maxSize === 65536);
  const masks = fixed ? { maskS: LEGACY_MASK_S, maskL: LEGACY_MASK_L } : normalizedMasks(normalSize);
  return { minSize, normalSize, maxSize, ...masks };
}

interface ScannerExports {
  memory: WebAssembly.Memory;
  setMasks(sHi: number, sLo: number, lHi: number, lLo: number): void;
  reset(): void;
  scan(p: number, end: number, large: number): number;
}

/** Start of the chunk buffer in the module's memory (after the 2 KiB Gear table). */
const BASE = 2048;
const PAGE = 65536;
/**
 * At most this many bytes past minSize are copied in and scanned per step: after a cut, the bytes
 * already copied past it are copied again for the next chunk, so the step bounds that waste.
 */
const STEP = 16384;

let compiled: WebAssembly.Module | undefined;

function instantiate(): ScannerExports {
  compiled ??= new WebAssembly.Module(FASTCDC_WASM);
  const exports = new WebAssembly.Instance(compiled).exports as unknown as ScannerExports;
  const table = new DataView(exports.memory.buffer, 0, BASE);
  for (let b = 0; b < 256; b++) {
    table.setUint32(b * 8, GEAR_LO[b]!, true);
    table.setUint32(b * 8 + 4, GEAR_HI[b]!, true);
  }
  return exports;
}

/**
 * Streaming chunker: feed data as it arrives (any sizes), and each completed chunk is handed to a
 * callback as a view of the chunker's memory, valid only during that call (no copy: a backup
 * encodes each chunk on the spot); finish() hands over the rest. push() and end() do the same but
 * return copies. At most maxSize bytes (plus 2 KiB) stay buffered, whatever the stream length.
 */
export class Chunker {
  private readonly min: number;
  private readonly normal: number;
  private readonly max: number;
  private readonly wasm: ScannerExports;
  /** View of the module's memory; renewed whenever the memory grows. */
  private heap: Uint8Array;
  /** Bytes of the current chunk held at heap[BASE, BASE + pending); bytes [min, pending) scanned, no cut. */
  private pending = 0;
  private received = false;
  private ended = false;

  constructor(params: ChunkingParams) {
    const r = resolve(params);
    this.min = r.minSize;
    this.normal = r.normalSize;
    this.max = r.maxSize;
    this.wasm = instantiate();
    this.wasm.setMasks(r.maskS.hi, r.maskS.lo, r.maskL.hi, r.maskL.lo);
    this.heap = new Uint8Array(this.wasm.memory.buffer);
  }

  /** Feeds bytes; `emit` gets each chunk they complete, in order (often none). */
  feed(data: Uint8Array, emit: (chunk: Uint8Array) => void): void {
    if (this.ended) throw new Error('Chunker.feed() after finish()');
    const total = data.length;
    if (total === 0) return;
    this.received = true;
    const { min, normal, max, wasm } = this;
    let off = 0;
    while (off < total) {
      const start = this.pending;
      // Copy up to minSize without scanning, then at most STEP more, never beyond maxSize.
      let k = Math.min(total - off, max - start, Math.max(min - start, 0) + STEP);
      this.reserve(start + k);
      this.heap.set(off === 0 && k === total ? data : data.subarray(off, off + k), BASE + start);
      const end = start + k;
      let cut = end;
      if (end > min) {
        let from = start > min ? start : min;
        if (from < normal) {
          const to = end < normal ? end : normal;
          cut = wasm.scan(BASE + from, BASE + to, 0) - BASE;
          if (cut === to) {
            cut = end;
            from = to;
          }
        }
        if (cut === end && from < end) cut = wasm.scan(BASE + from, BASE + end, 1) - BASE;
      }
      if (cut < end) {
        // Cut inside what was just copied: the bytes after it belong to the next chunk and are
        // copied again from `data` (the scanner already reset its fingerprint).
        this.pending = 0;
        emit(this.heap.subarray(BASE, BASE + cut));
        k = cut - start;
      } else if (end === max) {
        wasm.reset();
        this.pending = 0;
        emit(this.heap.subarray(BASE, BASE + max));
      } else {
        this.pending = end;
      }
      off += k;
    }
  }

  /**
   * Ends the stream: `emit` gets the last chunk (the unfinished rest, if any), or exactly one
   * empty chunk if the stream never received a byte. reset() starts a new stream.
   */
  finish(emit: (chunk: Uint8Array) => void): void {
    if (this.ended) throw new Error('Chunker.finish() called twice');
    this.ended = true;
    if (!this.received) return emit(new Uint8Array(0));
    if (this.pending === 0) return;
    const n = this.pending;
    this.pending = 0;
    emit(this.heap.subarray(BASE, BASE + n));
  }

  /** feed(), returning copies of the chunks. */
  push(data: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    this.feed(data, (c) => out.push(c.slice()));
    return out;
  }

  /** finish(), returning a copy of the last chunk. */
  end(): Uint8Array[] {
    const out: Uint8Array[] = [];
    this.finish((c) => out.push(c.slice()));
    return out;
  }

  /** Starts a new stream, keeping the WebAssembly instance and its memory (cheap to reuse). */
  reset(): void {
    this.pending = 0;
    this.received = false;
    this.ended = false;
    this.wasm.reset();
  }

  /** Makes sure heap[BASE, BASE + size) exists, growing the memory geometrically up to maxSize. */
  private reserve(size: number): void {
    const needed = BASE + size;
    const current = this.wasm.memory.buffer.byteLength;
    if (needed <= current) return;
    const target = Math.min(Math.max(needed, current * 2), BASE + this.max);
    this.wasm.memory.grow(Math.ceil((target - current) / PAGE));
    this.heap = new Uint8Array(this.wasm.memory.buffer);
  }
}

/** Chunk lengths of a whole buffer (the same cut points as streaming it through a Chunker). */
export function chunkLengths(params: ChunkingParams, data: Uint8Array): number[] {
  const chunker = new Chunker(params);
  return [...chunker.push(data), ...chunker.end()].map((c) => c.length);
}
