import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UnsupportedError } from '../format/errors.js';
import { Chunker, chunkLengths, normalizedMasks, spacedMask, type ChunkingParams } from '../format/chunking/fastcdc.js';
import { FASTCDC_WASM } from '../format/chunking/fastcdc-wasm.js';
import { GEAR, GEAR_HI, GEAR_LO } from '../format/chunking/gear.js';
// @ts-expect-error plain ESM script without type declarations
import { assemble } from '../scripts/gen-wasm.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const fixturesDir = path.resolve(repoRoot, '..', 'shared', 'fixtures', 'cdc');

function readFixture<T>(name: string): T {
  const file = path.join(fixturesDir, name);
  if (!existsSync(file)) {
    throw new Error(`CDC fixture missing: ${file} (expected the shared fixtures beside the repository)`);
  }
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

interface InputsFile {
  prng: { seed_ascii: string };
  pattern: { ascii: string; length: number };
  inputs: { name: string; kind: 'prng' | 'zero' | 'pattern'; length: number; sha256: string }[];
}
interface VectorsFile {
  kloset_configuration: { algorithm: string; min_size: number; normal_size: number; max_size: number };
  vectors: { input: string; length: number; sha256: string; chunk_count: number; chunk_lengths: number[]; cut_points: number[] }[];
}

const inputsFile = readFixture<InputsFile>('inputs.json');
const vectorFiles: Record<string, VectorsFile> = {
  'fastcdc-v1.0.0': readFixture<VectorsFile>('fastcdc-v1.0.0_512K_1M_8M.json'),
  'fastcdc (legacy)': readFixture<VectorsFile>('fastcdc-legacy_64K_1M_4M.json'),
};

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

// ---- input generator (README of the fixtures) ----------------------------------------------------
function prng(n: number, seedAscii: string): Uint8Array {
  const seed = Buffer.from(seedAscii, 'ascii');
  const out = new Uint8Array(n);
  const msg = Buffer.alloc(seed.length + 8);
  seed.copy(msg);
  for (let counter = 0, off = 0; off < n; counter++, off += 32) {
    msg.writeBigUInt64LE(BigInt(counter), seed.length);
    const block = createHash('sha256').update(msg).digest();
    out.set(block.subarray(0, Math.min(32, n - off)), off);
  }
  return out;
}

function pattern(n: number, line: string): Uint8Array {
  const unit = Buffer.from(line, 'ascii');
  const out = new Uint8Array(n);
  for (let off = 0; off < n; off += unit.length) out.set(unit.subarray(0, Math.min(unit.length, n - off)), off);
  return out;
}

const inputCache = new Map<string, Uint8Array>();
let prngAll: Uint8Array | undefined;
function input(name: string): Uint8Array {
  let data = inputCache.get(name);
  if (data) return data;
  const def = inputsFile.inputs.find((i) => i.name === name);
  if (!def) throw new Error(`unknown input ${name}`);
  if (def.kind === 'prng') {
    // Every prng-N is a prefix of the longest one.
    const longest = Math.max(...inputsFile.inputs.filter((i) => i.kind === 'prng').map((i) => i.length));
    prngAll ??= prng(longest, inputsFile.prng.seed_ascii);
    data = prngAll.subarray(0, def.length);
  } else if (def.kind === 'zero') {
    data = new Uint8Array(def.length);
  } else if (def.kind === 'pattern') {
    data = pattern(def.length, inputsFile.pattern.ascii);
  } else {
    throw new Error(`unknown input kind ${String(def.kind)}`);
  }
  inputCache.set(name, data);
  return data;
}

function paramsOf(v: VectorsFile): ChunkingParams {
  const c = v.kloset_configuration;
  return { algorithm: c.algorithm, minSize: c.min_size, normalSize: c.normal_size, maxSize: c.max_size };
}

// ---- deterministic randomness ------------------------------------------------------------------
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random piece sizes, log-uniform in [1, maxPiece] so that tiny and huge pushes both occur. */
function pushInPieces(
  params: ChunkingParams,
  data: Uint8Array,
  rand: () => number,
  maxPiece: number,
  reuseBuffer = false,
): Uint8Array[] {
  const chunker = new Chunker(params);
  const chunks: Uint8Array[] = [];
  const scratch = reuseBuffer ? new Uint8Array(maxPiece) : undefined;
  for (let off = 0; off < data.length; ) {
    const size = Math.min(data.length - off, Math.max(1, Math.floor(Math.exp(rand() * Math.log(maxPiece)))));
    let piece = data.subarray(off, off + size);
    if (scratch) {
      scratch.set(piece);
      piece = scratch.subarray(0, size);
    }
    chunks.push(...chunker.push(piece));
    if (scratch) scratch.fill(0xa5); // the chunker must not have kept references to our buffer
    off += size;
  }
  chunks.push(...chunker.end());
  return chunks;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

// ---- an independent, slow BigInt model of go-cdc-chunkers (Chunker.Next + FastCDC.Algorithm) ---
function referenceLengths(data: Uint8Array, min: number, normal: number, max: number, maskS: bigint, maskL: bigint): number[] {
  const M64 = (1n << 64n) - 1n;
  const lengths: number[] = [];
  let pos = 0;
  let first = true;
  for (;;) {
    let n = Math.min(max, data.length - pos); // bufio Peek(MaxSize)
    if (n === 0) {
      if (first) lengths.push(0);
      return lengths;
    }
    first = false;
    let cut: number;
    if (n <= min) {
      cut = n;
    } else {
      let normalSize = normal;
      if (n >= max) n = max;
      else if (n <= normal) normalSize = n;
      let fp = 0n;
      let mask = maskS;
      let i = min;
      for (; i < n; i++) {
        if (i === normalSize) mask = maskL;
        fp = ((fp << 1n) + GEAR[data[pos + i]!]!) & M64;
        if ((fp & mask) === 0n) break;
      }
      cut = i;
    }
    lengths.push(cut);
    pos += cut;
    if (cut < min) return lengths; // io.EOF
  }
}

const toBig = (m: { hi: number; lo: number }): bigint => (BigInt(m.hi) << 32n) | BigInt(m.lo);

// ---- tests ----------------------------------------------------------------------------------------
describe('Gear table', () => {
  it('is the go-cdc-chunkers table (SHA-256 of the LE uint64 values)', () => {
    expect(GEAR).toHaveLength(256);
    const bytes = Buffer.alloc(256 * 8);
    GEAR.forEach((g, i) => bytes.writeBigUInt64LE(g, i * 8));
    expect(sha256(bytes)).toBe('c4e8f68dd1d035055021eec0298fdf67af2b77a8b690d418533cdb3970760372');
    GEAR.forEach((g, i) => expect((BigInt(GEAR_HI[i]!) << 32n) | BigInt(GEAR_LO[i]!)).toBe(g));
  });
});

describe('masks', () => {
  it('derives the fastcdc-v1.0.0 masks from the normal size', () => {
    const { maskS, maskL } = normalizedMasks(1 << 20);
    expect(toBig(maskS)).toBe(0xaaaaaaaaaaa00000n);
    expect(toBig(maskL)).toBe(0x9249249249249000n);
    expect(toBig(spacedMask(0))).toBe(0n);
    expect(toBig(spacedMask(-2))).toBe(0n);
    expect(toBig(spacedMask(64))).toBe(0xffffffffffffffffn);
    expect(toBig(spacedMask(1))).toBe(0x8000000000000000n);
    expect(toBig(spacedMask(3))).toBe((1n << 63n) | (1n << 42n) | (1n << 21n));
  });
});

describe('embedded WebAssembly', () => {
  it('equals a fresh assembly of fastcdc.wat', async () => {
    const fresh = (await assemble('fastcdc')) as Uint8Array;
    expect(Buffer.from(FASTCDC_WASM).equals(Buffer.from(fresh))).toBe(true);
  });
});

describe('inputs', () => {
  it.each(inputsFile.inputs.map((i) => [i.name, i] as const))('%s regenerates with the recorded sha256', (_name, def) => {
    const data = input(def.name);
    expect(data.length).toBe(def.length);
    expect(sha256(data)).toBe(def.sha256);
  });
});

for (const [label, file] of Object.entries(vectorFiles)) {
  const params = paramsOf(file);

  describe(`${label} vectors (${params.algorithm} ${params.minSize}/${params.normalSize}/${params.maxSize})`, () => {
    it('covers every input of inputs.json', () => {
      expect(file.vectors.map((v) => v.input).sort()).toEqual(inputsFile.inputs.map((i) => i.name).sort());
    });

    it.each(file.vectors.map((v) => [v.input, v] as const))('%s: chunk lengths equal the real chunker', (_name, v) => {
      const data = input(v.input);
      expect(data.length).toBe(v.length);
      expect(sha256(data)).toBe(v.sha256);
      const lengths = chunkLengths(params, data);
      expect(lengths).toEqual(v.chunk_lengths);
      expect(lengths).toHaveLength(v.chunk_count);
    });

    it.each(file.vectors.filter((v) => v.length > 0).map((v, k) => [v.input, v, k] as const))(
      '%s: same chunks when pushed in random pieces (1 B to 3 MiB)',
      (_name, v, k) => {
        const data = input(v.input);
        for (let round = 0; round < 3; round++) {
          const seed = 1000 * k + round + (label.startsWith('fastcdc-v1') ? 0 : 500_000);
          const chunks = pushInPieces(params, data, rng(seed), 3 << 20, round === 2);
          expect(chunks.map((c) => c.length), `seed ${seed}`).toEqual(v.chunk_lengths);
          expect(sha256(concat(chunks)), `seed ${seed}`).toBe(v.sha256);
        }
      },
    );

    it('same chunks when pushed byte-sized pieces around the min/normal boundaries', () => {
      const data = input('prng-4194304').subarray(0, 2 * params.normalSize + 12345);
      const expected = chunkLengths(params, data);
      const chunks = pushInPieces(params, data, rng(42), 200);
      expect(chunks.map((c) => c.length)).toEqual(expected);
      expect(Buffer.from(concat(chunks)).equals(Buffer.from(data))).toBe(true);
    });
  });
}

describe('small sizes against a BigInt model of the Go code', () => {
  const data = prng(1 << 18, 'small-sizes');
  const low = new Uint8Array(1 << 16).map((_, i) => (i * 7) % 5); // low-entropy data: cuts at max
  const configs: [string, number, number, number][] = [
    ['fastcdc-v1.0.0', 64, 256, 1024],
    ['fastcdc-v1.0.0', 256, 256, 4096],
    ['fastcdc-v1.0.0', 100, 1000, 1000],
    ['fastcdc-v1.0.0', 512, 1024, 512 * 3],
    ['fastcdc-v1.0.0', 2048, 8192, 65536], // go-cdc-chunkers' defaults: fixed legacy masks
    ['fastcdc-v1.0.0', 1, 1, 1],
    ['fastcdc-v1.0.0', 4096, 4096, 4096],
    ['fastcdc', 64, 256, 1024],
    ['FastCDC', 1000, 1000, 5000],
    ['fastcdc', 4096, 65536, 16384 * 4],
  ];
  it.each(configs)('%s %i/%i/%i: whole and streamed', (algorithm, minSize, normalSize, maxSize) => {
    const params = { algorithm, minSize, normalSize, maxSize };
    const fixed = algorithm.toLowerCase() === 'fastcdc' || (minSize === 2048 && normalSize === 8192 && maxSize === 65536);
    const masks = fixed ? { maskS: 0x0003590703530000n, maskL: 0x0000d90003530000n } : (() => {
      const m = normalizedMasks(normalSize);
      return { maskS: toBig(m.maskS), maskL: toBig(m.maskL) };
    })();
    const random = data.subarray(0, Math.min(data.length, 256 * maxSize));
    for (const buf of [random, low, data.subarray(0, minSize), data.subarray(0, minSize + 1), data.subarray(0, maxSize), new Uint8Array(0)]) {
      const expected = referenceLengths(buf, minSize, normalSize, maxSize, masks.maskS, masks.maskL);
      expect(chunkLengths(params, buf)).toEqual(expected);
      for (let seed = 1; seed <= 3; seed++) {
        expect(pushInPieces(params, buf, rng(seed), 3 * maxSize).map((c) => c.length), `seed ${seed}`).toEqual(expected);
      }
    }
  });
});

describe('Chunker behaviour', () => {
  const v1: ChunkingParams = { algorithm: 'fastcdc-v1.0.0', minSize: 524288, normalSize: 1048576, maxSize: 8388608 };

  it('empty stream: exactly one empty chunk; empty pushes do not count as data', () => {
    const c = new Chunker(v1);
    expect(c.push(new Uint8Array(0))).toEqual([]);
    const last = c.end();
    expect(last).toHaveLength(1);
    expect(last[0]!.length).toBe(0);
  });

  it('a stream ending exactly on a cut point ends without an extra chunk', () => {
    const data = input('zero-20MiB').subarray(0, 2 * v1.maxSize);
    const c = new Chunker(v1);
    const chunks = c.push(data);
    expect(chunks.map((x) => x.length)).toEqual([v1.maxSize, v1.maxSize]);
    expect(c.end()).toEqual([]);
  });

  it('refuses use after end()', () => {
    const c = new Chunker(v1);
    c.end();
    expect(() => c.push(new Uint8Array(1))).toThrow();
    expect(() => c.end()).toThrow();
  });

  it('returns chunks that alias neither the input nor each other', () => {
    const data = input('prng-8388609');
    const chunks = new Chunker(v1).push(data);
    expect(chunks.length).toBeGreaterThan(1);
    const buffers = new Set(chunks.map((c) => c.buffer));
    expect(buffers.size).toBe(chunks.length);
    expect(buffers.has(data.buffer as ArrayBuffer)).toBe(false);
    for (const c of chunks) expect(c.byteLength).toBe(c.buffer.byteLength);
  });

  it('keeps its buffer bounded by maxSize whatever the stream length', () => {
    const params: ChunkingParams = { algorithm: 'FASTCDC', minSize: 65536, normalSize: 1048576, maxSize: 4194304 };
    const c = new Chunker(params);
    const piece = input('zero-20MiB').subarray(0, 3 << 20);
    for (let i = 0; i < 20; i++) c.push(piece);
    const wasm = (c as unknown as { wasm: { memory: WebAssembly.Memory } }).wasm;
    expect(wasm.memory.buffer.byteLength).toBeLessThanOrEqual(params.maxSize + 65536);
  });

  it('matches algorithm names case-insensitively and rejects unknown ones', () => {
    const data = input('prng-4194304');
    const legacy = { minSize: 65536, normalSize: 1048576, maxSize: 4194304 };
    const expected = chunkLengths({ algorithm: 'fastcdc', ...legacy }, data);
    expect(chunkLengths({ algorithm: 'FASTCDC', ...legacy }, data)).toEqual(expected);
    expect(chunkLengths({ ...v1, algorithm: 'FASTCDC-V1.0.0' }, data)).toEqual(chunkLengths(v1, data));
    for (const algorithm of ['ultracdc', 'kfastcdc', 'jc', 'fastcdc-v2', '']) {
      expect(() => new Chunker({ ...v1, algorithm })).toThrow(UnsupportedError);
    }
  });

  it('validates the sizes', () => {
    const bad: Partial<ChunkingParams>[] = [
      { minSize: 0 },
      { minSize: -1 },
      { minSize: 1.5 },
      { minSize: 2 * 1048576 }, // min > normal
      { normalSize: 16 * 1048576 }, // normal > max
      { maxSize: 128 * 1048576, normalSize: 1048576 }, // max > 64 MiB
      { maxSize: Number.NaN },
    ];
    for (const b of bad) {
      expect(() => new Chunker({ ...v1, ...b }), JSON.stringify(b)).toThrow(UnsupportedError);
    }
    expect(() => new Chunker({ ...v1, maxSize: 64 * 1048576 })).not.toThrow();
  });
});
