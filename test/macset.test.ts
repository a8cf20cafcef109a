import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { BlobSet, MacSet } from '../format/util/macset.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('MacSet', () => {
  it('agrees with a Set of hex strings on 200k random MACs and the all-zero MAC', () => {
    const set = new MacSet();
    const ref = new Set<string>();
    const pool = randomBytes(32 * 200_000);
    const macs: Uint8Array[] = [];
    for (let i = 0; i < 200_000; i++) macs.push(new Uint8Array(pool.buffer, pool.byteOffset + i * 32, 32));
    const zero = new Uint8Array(32);
    expect(set.has(zero)).toBe(false);

    let mismatches = 0;
    for (let i = 0; i < macs.length; i++) {
      // Re-add some earlier MACs (as copies) to exercise duplicates, and the zero MAC midway.
      const m = i % 5 === 4 ? new Uint8Array(macs[(i * 7919) % i]!) : macs[i]!;
      const added = set.add(m);
      const h = hex(m);
      if (added !== !ref.has(h)) mismatches++;
      ref.add(h);
      if (i === 100_000) {
        expect(set.add(zero)).toBe(true);
        expect(set.add(new Uint8Array(32))).toBe(false);
        ref.add(hex(zero));
      }
    }
    expect(mismatches).toBe(0);
    expect(set.size).toBe(ref.size);
    expect(set.has(zero)).toBe(true);

    // Every member is found, at any alignment.
    let missing = 0;
    const buf = new Uint8Array(33);
    for (const h of ref) {
      buf.set(Buffer.from(h, 'hex'), 1);
      if (!set.has(buf.subarray(1))) missing++;
    }
    expect(missing).toBe(0);

    // Absent MACs, including near misses (one bit flipped, in any word).
    let found = 0;
    for (let i = 0; i < 50_000; i++) {
      const m = new Uint8Array(randomBytes(32));
      if (set.has(m) !== ref.has(hex(m))) found++;
    }
    for (let i = 0; i < 4000; i++) {
      const m = new Uint8Array(macs[i * 13]!);
      m[(i * 5) % 32]! ^= 1 << i % 8;
      if (set.has(m) !== ref.has(hex(m))) found++;
    }
    expect(found).toBe(0);
  });

  it('grows by doubling and keeps every entry', () => {
    const set = new MacSet();
    const macs: Uint8Array[] = [];
    let bad = 0;
    for (let i = 0; i < 10_000; i++) {
      // Structured (non-random) MACs: only the last bytes differ, some words are zero.
      const m = new Uint8Array(32);
      new DataView(m.buffer).setUint32(28, i + 1);
      macs.push(m);
      if (!set.add(m) || set.size !== i + 1) bad++;
    }
    for (const m of macs) if (!set.has(m)) bad++;
    for (const m of macs) if (set.add(m)) bad++;
    expect(bad).toBe(0);
    const absent = new Uint8Array(32);
    new DataView(absent.buffer).setUint32(28, 10_001);
    expect(set.has(absent)).toBe(false);
    absent[0] = 1;
    absent[31] = 1;
    expect(set.has(absent)).toBe(false);
    expect(set.size).toBe(10_000);
  });

  it('counts the all-zero MAC once and only when added', () => {
    const set = new MacSet();
    const zero = new Uint8Array(32);
    expect(set.size).toBe(0);
    expect(set.has(zero)).toBe(false);
    expect(set.add(zero)).toBe(true);
    expect(set.add(zero)).toBe(false);
    expect(set.size).toBe(1);
    const one = new Uint8Array(32);
    one[31] = 1;
    expect(set.has(one)).toBe(false);
    expect(set.add(one)).toBe(true);
    expect(set.size).toBe(2);
  });

  it('rejects MACs that are not 32 bytes', () => {
    const set = new MacSet();
    expect(() => set.add(new Uint8Array(31))).toThrow(RangeError);
    expect(() => set.has(new Uint8Array(33))).toThrow(RangeError);
  });

  it('holds a million random MACs', () => {
    const n = 1_000_000;
    const pool = new Uint8Array(randomBytes(32 * n));
    const macs = Array.from({ length: n }, (_, i) => pool.subarray(i * 32, i * 32 + 32));
    const set = new MacSet();
    for (const m of macs) set.add(m);
    let hits = 0;
    for (const m of macs) if (set.has(m)) hits++;
    expect(hits).toBe(n);
    expect(set.size).toBe(n);
  });
});

describe('BlobSet spilled to disk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'blobset-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('agrees with a Set of strings across many spills, for random and structured MACs, per type', () => {
    const set = new BlobSet(dir, 500);
    const ref = new Set<string>();
    const key = (t: number, m: Uint8Array): string => `${t}:${hex(m)}`;
    const macs: [number, Uint8Array][] = [];
    const pool = randomBytes(32 * 20_000);
    for (let i = 0; i < 20_000; i++) {
      const m = new Uint8Array(pool.buffer, pool.byteOffset + i * 32, 32);
      // Every third MAC differs from others only in its last bytes (the Bloom filter's hard case).
      if (i % 3 === 0) m.fill(7, 0, 28);
      macs.push([i % 4 === 0 ? 9 : 12, m]);
    }
    macs.push([9, new Uint8Array(32)]); // the zero MAC, kept aside from the tables
    for (const [t, m] of macs) {
      expect(set.add(t, m)).toBe(!ref.has(key(t, m)));
      ref.add(key(t, m));
    }
    expect(readdirSync(dir).length).toBe(1);
    // Everything added is found, in memory or on disk; nothing is added twice; other types and MACs are not found.
    for (const [t, m] of macs) {
      expect(set.has(t, m)).toBe(true);
      expect(set.add(t, m)).toBe(false);
    }
    expect(set.has(12, new Uint8Array(32))).toBe(false);
    let wrong = 0;
    const others = randomBytes(32 * 20_000);
    for (let i = 0; i < 20_000; i++) {
      const m = new Uint8Array(others.buffer, others.byteOffset + i * 32, 32);
      if (i % 2 === 0) m.fill(7, 0, 28);
      if (set.has(9, m) !== ref.has(key(9, m))) wrong++;
    }
    expect(wrong).toBe(0);
    set.close();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('stays in memory without a directory, and adds nothing to disk after close()', () => {
    const set = new BlobSet(undefined, 10);
    for (let i = 0; i < 100; i++) expect(set.add(2, new Uint8Array(randomBytes(32)))).toBe(true);
    set.close();
    const spilling = new BlobSet(dir, 10);
    spilling.close();
    for (let i = 0; i < 100; i++) spilling.add(2, new Uint8Array(randomBytes(32)));
    expect(readdirSync(dir)).toEqual([]);
  });
});
