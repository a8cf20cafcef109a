import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareBytes, pathCmp } from '../format/snapshot/btree.js';
import { ExternalSorter, type KeyCompare } from '../format/util/extsort.js';

const work = mkdtempSync(join(tmpdir(), 'extsort-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let dirs = 0;
function freshDir(): string {
  const d = join(work, `d${dirs++}`);
  return d;
}
function files(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** xorshift32: deterministic test data. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}

interface Rec {
  key: string;
  value: Uint8Array;
  seq: number;
}

const PIECES = ['a', 'b', 'z', '/', '/', 'A', '0', '.', '-', 'é', 'ß', '日本', '😀', '\u{10FFFF}', '\uFFFD', '\uE000', 'ab/cd', ' '];
const PREFIXES = ['', '/', '/home/user/', '/home/user/docs/', '/var/lib/日本/', '/😀/', '/a/b/c/d/e/'];

function makeRecords(n: number, seed: number, maxValue = 300): Rec[] {
  const r = rng(seed);
  const out: Rec[] = [];
  for (let i = 0; i < n; i++) {
    let key: string;
    if (out.length > 0 && r() < 0.1) key = out[Math.floor(r() * out.length)]!.key; // duplicate
    else {
      key = PREFIXES[Math.floor(r() * PREFIXES.length)]!;
      const parts = Math.floor(r() * 8);
      for (let p = 0; p < parts; p++) key += PIECES[Math.floor(r() * PIECES.length)]!;
    }
    const len = r() < 0.01 ? 20_000 + Math.floor(r() * 50_000) : Math.floor(r() * maxValue);
    const value = new Uint8Array(len);
    for (let b = 0; b < len; b++) value[b] = Math.floor(r() * 256);
    if (len >= 4) new DataView(value.buffer).setUint32(0, i); // identify the record
    out.push({ key, value, seq: i });
  }
  return out;
}

function expected(recs: Rec[], cmp: KeyCompare, opts: { descending?: boolean; unique?: boolean } = {}): [string, Uint8Array][] {
  let s = [...recs].sort((a, b) => cmp(a.key, b.key) || a.seq - b.seq);
  if (opts.unique) s = s.filter((x, i) => i === 0 || cmp(s[i - 1]!.key, x.key) !== 0);
  if (opts.descending) s.reverse();
  return s.map((x) => [x.key, x.value]);
}

async function fill(recs: Rec[], cmp: KeyCompare, memoryBytes?: number, dir = freshDir()): Promise<ExternalSorter> {
  const s = new ExternalSorter({ compare: cmp, tmpDir: dir, memoryBytes });
  for (const r of recs) await s.add(r.key, r.value);
  return s;
}

async function collect(it: AsyncIterable<[string, Uint8Array]>): Promise<[string, Uint8Array][]> {
  const out: [string, Uint8Array][] = [];
  for await (const rec of it) out.push(rec);
  return out;
}

function same(got: [string, Uint8Array][], want: [string, Uint8Array][]): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (got[i]![0] !== want[i]![0] || Buffer.compare(got[i]![1], want[i]![1]) !== 0) {
      expect({ i, key: got[i]![0], value: Buffer.from(got[i]![1]).toString('hex') }).toEqual({
        i,
        key: want[i]![0],
        value: Buffer.from(want[i]![1]).toString('hex'),
      });
    }
  }
}

describe('ExternalSorter', () => {
  const cases: [string, KeyCompare][] = [
    ['compareBytes', compareBytes],
    ['pathCmp', pathCmp],
  ];

  for (const [name, cmp] of cases) {
    for (const descending of [false, true]) {
      for (const unique of [false, true]) {
        it(`in memory, ${name}, descending=${descending}, unique=${unique}`, async () => {
          const recs = makeRecords(2000, 7);
          const dir = freshDir();
          const s = await fill(recs, cmp, undefined, dir);
          expect(s.count).toBe(recs.length);
          expect(files(dir)).toEqual([]); // nothing spilled
          same(await collect(s.sorted({ descending, unique })), expected(recs, cmp, { descending, unique }));
          await s.close();
        });

        it(`many runs (4 KiB budget), ${name}, descending=${descending}, unique=${unique}`, async () => {
          const recs = makeRecords(3000, 11 + (descending ? 1 : 0) + (unique ? 2 : 0));
          const dir = freshDir();
          const s = new ExternalSorter({ compare: cmp, tmpDir: dir, memoryBytes: 4096 });
          let maxRuns = 0;
          for (const r of recs) {
            await s.add(r.key, r.value);
            maxRuns = Math.max(maxRuns, files(dir).length);
          }
          // Beyond the merge fan-in (64), so intermediate merge passes run too.
          expect(maxRuns).toBeGreaterThan(100);
          for (const f of files(dir)) expect(statSync(join(dir, f)).mode & 0o777).toBe(0o600);
          expect(s.count).toBe(recs.length);
          same(await collect(s.sorted({ descending, unique })), expected(recs, cmp, { descending, unique }));
          expect(files(dir)).toEqual([]);
          await s.close();
          await s.close(); // idempotent
        });
      }
    }
  }

  it('a comparator that is not lexicographic: deeper paths last (pathCmp)', async () => {
    const keys = ['/b', '/a/z', '/', '/a', '/a/b/c', '/c/d', '/z'];
    const recs = keys.map((key, seq) => ({ key, value: new Uint8Array([seq]), seq }));
    const s = await fill(recs, pathCmp, 64);
    expect((await collect(s.sorted())).map(([k]) => k)).toEqual(['/', '/a', '/b', '/z', '/a/z', '/c/d', '/a/b/c']);
  });

  it('keeps equal keys in insertion order, reverses them when descending, and unique keeps the first added', async () => {
    const recs: Rec[] = [];
    for (let i = 0; i < 500; i++) recs.push({ key: `k${i % 7}`, value: new Uint8Array([i & 255, i >> 8]), seq: i });
    for (const descending of [false, true]) {
      for (const unique of [false, true]) {
        const s = await fill(recs, compareBytes, 2048);
        same(await collect(s.sorted({ descending, unique })), expected(recs, compareBytes, { descending, unique }));
      }
    }
    const s = await fill(recs, compareBytes, 2048);
    const u = await collect(s.sorted({ descending: true, unique: true }));
    expect(u.map(([k, v]) => [k, v[0]])).toEqual([6, 5, 4, 3, 2, 1, 0].map((i) => [`k${i}`, i]));
  });

  it('round-trips keys that are not well-formed UTF-16 through run files', async () => {
    const keys = ['\uD800', 'a\uDC00b', '\uDBFF\uDFFF', '😀', '\uD83D', 'plain', ''];
    const recs: Rec[] = [];
    for (let i = 0; i < 300; i++) recs.push({ key: keys[i % keys.length]! + String(i % 13), value: new Uint8Array([i % 256]), seq: i });
    for (const descending of [false, true]) {
      const dir = freshDir();
      const s = await fill(recs, compareBytes, 1024, dir);
      expect(files(dir).length).toBeGreaterThan(1);
      same(await collect(s.sorted({ descending })), expected(recs, compareBytes, { descending }));
    }
  });

  it('handles empty sorters and empty keys/values', async () => {
    const s = new ExternalSorter({ compare: compareBytes, tmpDir: freshDir() });
    expect(await collect(s.sorted({ descending: true }))).toEqual([]);
    const recs: Rec[] = Array.from({ length: 200 }, (_, i) => ({ key: i % 3 === 0 ? '' : `x${i}`, value: new Uint8Array(i % 2), seq: i }));
    for (const descending of [false, true]) {
      const t = await fill(recs, compareBytes, 512);
      same(await collect(t.sorted({ descending })), expected(recs, compareBytes, { descending }));
    }
  });

  it('handles values larger than the write buffer and the read windows', async () => {
    const r = rng(17);
    const recs: Rec[] = [];
    for (let i = 0; i < 60; i++) {
      const len = i % 10 === 0 ? (1 << 20) + 12345 * i : Math.floor(r() * 100);
      const value = new Uint8Array(len);
      for (let b = 0; b < len; b += 997) value[b] = (i + b) & 255;
      recs.push({ key: `k${Math.floor(r() * 20)}`, value, seq: i });
    }
    for (const descending of [false, true]) {
      const dir = freshDir();
      const s = await fill(recs, compareBytes, 1 << 20, dir);
      expect(files(dir).length).toBeGreaterThan(2);
      same(await collect(s.sorted({ descending })), expected(recs, compareBytes, { descending }));
      expect(files(dir)).toEqual([]);
    }
  });

  it('yields values the caller owns', async () => {
    const recs = makeRecords(1000, 5, 40);
    const s = await fill(recs, compareBytes, 4096);
    const got = await collect(s.sorted());
    for (const [, v] of got) {
      expect(v).toBeInstanceOf(Uint8Array);
      expect(Buffer.isBuffer(v)).toBe(false);
      expect(v.byteLength).toBe(v.buffer.byteLength);
    }
    same(got, expected(recs, compareBytes));
  });

  it('copies values on add', async () => {
    const s = new ExternalSorter({ compare: compareBytes, tmpDir: freshDir() });
    const v = new Uint8Array([1, 2, 3]);
    await s.add('k', v);
    v[0] = 9;
    expect(await collect(s.sorted())).toEqual([['k', new Uint8Array([1, 2, 3])]]);
  });

  it('sorts 200k records with a 1 MiB budget through many runs', async () => {
    const r = rng(99);
    const dir = freshDir();
    const s = new ExternalSorter({ compare: pathCmp, tmpDir: dir, memoryBytes: 1 << 20 });
    const mac = new Uint8Array(32);
    for (let i = 0; i < 200_000; i++) {
      const key = `/data/${Math.floor(r() * 100)}/${Math.floor(r() * 1000)}/file-${Math.floor(r() * 1e9).toString(36)}.txt`;
      new DataView(mac.buffer).setUint32(0, i);
      await s.add(key, mac);
    }
    expect(files(dir).length).toBeGreaterThan(5);
    let n = 0;
    let bad = 0;
    let prev: string | null = null;
    for await (const [k, v] of s.sorted()) {
      if ((prev !== null && pathCmp(prev, k) > 0) || v.length !== 32) bad++;
      prev = k;
      n++;
    }
    expect(n).toBe(200_000);
    expect(bad).toBe(0);
    expect(files(dir)).toEqual([]);
  });

  it('removes its files when the comparator throws during add', async () => {
    const dir = freshDir();
    let calls = 0;
    const cmp: KeyCompare = (a, b) => {
      if (++calls > 5000) throw new Error('boom');
      return compareBytes(a, b);
    };
    const s = new ExternalSorter({ compare: cmp, tmpDir: dir, memoryBytes: 4096 });
    const recs = makeRecords(5000, 3, 50);
    let error: unknown;
    let created = 0;
    try {
      for (const r of recs) {
        await s.add(r.key, r.value);
        created = Math.max(created, files(dir).length);
      }
    } catch (e) {
      error = e;
    }
    expect((error as Error).message).toBe('boom');
    expect(created).toBeGreaterThan(0);
    expect(files(dir)).toEqual([]);
    await expect(s.add('x', new Uint8Array(1))).rejects.toThrow('boom');
    await s.close();
    expect(files(dir)).toEqual([]);
  });

  it('removes its files when the comparator throws during the merge', async () => {
    const dir = freshDir();
    let armed = false;
    let calls = 0;
    const cmp: KeyCompare = (a, b) => {
      if (armed && ++calls > 3000) throw new Error('merge boom');
      return compareBytes(a, b);
    };
    const recs = makeRecords(3000, 4, 50);
    for (const descending of [false, true]) {
      armed = false;
      calls = 0;
      const s = await fill(recs, cmp, 8192, dir);
      expect(files(dir).length).toBeGreaterThan(10);
      armed = true;
      await expect(collect(s.sorted({ descending, unique: true }))).rejects.toThrow('merge boom');
      expect(files(dir)).toEqual([]);
      await s.close();
    }
  });

  it('removes its files when iteration stops early, and on close()', async () => {
    const dir = freshDir();
    const recs = makeRecords(2000, 8, 50);
    const s = await fill(recs, compareBytes, 4096, dir);
    expect(files(dir).length).toBeGreaterThan(0);
    let n = 0;
    for await (const _ of s.sorted({ descending: true })) {
      void _;
      if (++n === 10) break;
    }
    expect(files(dir)).toEqual([]);

    const t = await fill(recs, compareBytes, 4096, dir);
    expect(files(dir).length).toBeGreaterThan(0);
    await t.close();
    expect(files(dir)).toEqual([]);
    await t.close();
    await expect(t.add('x', new Uint8Array(0))).rejects.toThrow();
  });

  it('sortedBatches() gives the records of sorted() in batches of at most 1024, across runs, both ways, unique or not', async () => {
    const recs = makeRecords(5000, 77);
    for (const opts of [{}, { descending: true }, { unique: true }, { descending: true, unique: true }]) {
      const s = await fill(recs, pathCmp, 64 * 1024);
      const got: [string, Uint8Array][] = [];
      for await (const batch of s.sortedBatches(opts)) {
        expect(batch.length).toBeGreaterThan(0);
        expect(batch.length).toBeLessThanOrEqual(1024);
        got.push(...batch);
      }
      same(got, expected(recs, pathCmp, opts));
    }
  });

  it('is consumed by sorted()', async () => {
    const s = new ExternalSorter({ compare: compareBytes, tmpDir: freshDir() });
    await s.add('a', new Uint8Array(1));
    const it = s.sorted();
    expect(() => s.sorted()).toThrow();
    await expect(s.add('b', new Uint8Array(1))).rejects.toThrow();
    expect(await collect(it)).toEqual([['a', new Uint8Array(1)]]);
  });

  it('accepts concurrent add() calls', async () => {
    const dir = freshDir();
    const recs = makeRecords(2000, 21, 40);
    const s = new ExternalSorter({ compare: compareBytes, tmpDir: dir, memoryBytes: 4096 });
    await Promise.all(recs.map((r) => s.add(r.key, r.value)));
    same(await collect(s.sorted()), expected(recs, compareBytes));
    expect(files(dir)).toEqual([]);
  });
});
