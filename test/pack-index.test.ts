import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ByteWriter } from '../format/binary.js';
import { BLOB_RECORD_SIZE, serializeIndexRecord } from '../format/packfile.js';
import { PackIndex } from '../format/write/pack-index.js';

const work = mkdtempSync(join(tmpdir(), 'pack-index-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function record(type: number, mac: Uint8Array, offset: number): Uint8Array {
  const w = new ByteWriter();
  serializeIndexRecord(w, { type, version: 0x10000, mac, offset, length: offset % 1000, flags: 0 });
  return w.finish();
}

/** Kloset's order, as it defines it: the string "<type>:<mac hex>". */
function klosetOrder(records: Uint8Array[]): Uint8Array[] {
  const key = (r: Uint8Array): string => `${new DataView(r.buffer, r.byteOffset).getUint32(0, true)}:${Buffer.from(r.subarray(8, 40)).toString('hex')}`;
  return [...records].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Records of Kloset's blob types, some MACs sharing their first bytes (where the fast sort's keys tie). */
function records(n: number, types = [1, 2, 5, 7, 9, 10, 11, 12, 19, 20, 21, 255]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const mac = new Uint8Array(randomBytes(32));
    if (i % 7 === 0) mac.set([0xab, 0xcd, 0xef, i % 3], 0);
    if (i % 11 === 0) mac.fill(i % 2, 0, 31);
    out.push(record(types[i % types.length]!, mac, i));
  }
  return out;
}

async function collect(index: PackIndex): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const b of index.batches()) parts.push(b);
  return Buffer.concat(parts);
}

async function sortWith(recs: Uint8Array[], memoryBytes?: number, fastSortMax?: number): Promise<Uint8Array> {
  const index = new PackIndex(work, memoryBytes, fastSortMax);
  for (const r of recs) await index.add(r);
  expect(index.count).toBe(recs.length);
  const first = await collect(index);
  // A ptar reads its index twice (for the index, then for the state): the same both times.
  expect(Buffer.compare(await collect(index), first)).toBe(0);
  await index.close();
  return first;
}

describe('packfile index', () => {
  it('sorts records as Kloset lists blobs ("<type>:<mac hex>": type 10 before type 2), in memory and spilled', async () => {
    const recs = records(5000);
    const want = Buffer.concat(klosetOrder(recs));
    // One run in memory; runs of 7, 1 (5000 runs: windows of one record each) and 1000 records.
    for (const memory of [undefined, 7 * BLOB_RECORD_SIZE, BLOB_RECORD_SIZE, 1000 * BLOB_RECORD_SIZE + 13]) {
      expect(Buffer.compare(Buffer.from(await sortWith(recs, memory)), want), `memory ${memory}`).toBe(0);
    }
    expect(readdirSync(work)).toEqual([]);
  });

  it('gives the same order through the comparison sort used past 2^24 records, and for types above 255', async () => {
    const recs = records(3000);
    expect(Buffer.compare(Buffer.from(await sortWith(recs, undefined, 0)), Buffer.concat(klosetOrder(recs)))).toBe(0);
    expect(Buffer.compare(Buffer.from(await sortWith(recs, 100 * BLOB_RECORD_SIZE, 0)), Buffer.concat(klosetOrder(recs)))).toBe(0);
    const wide = records(500, [2, 10, 300, 1000, 25]);
    expect(Buffer.compare(Buffer.from(await sortWith(wide)), Buffer.concat(klosetOrder(wide)))).toBe(0);
    expect(Buffer.compare(Buffer.from(await sortWith(wide, 30 * BLOB_RECORD_SIZE)), Buffer.concat(klosetOrder(wide)))).toBe(0);
  });

  it('handles no records and equal records', async () => {
    expect((await sortWith([])).length).toBe(0);
    const same = record(9, new Uint8Array(32).fill(5), 1);
    const out = await sortWith([same, same, same], 2 * BLOB_RECORD_SIZE);
    expect(Buffer.compare(Buffer.from(out), Buffer.concat([same, same, same]))).toBe(0);
  });

  it('refuses a record of the wrong size, and records once read', async () => {
    expect(() => new PackIndex(work).add(new Uint8Array(BLOB_RECORD_SIZE - 1))).toThrow(RangeError);
    const index = new PackIndex(work);
    await index.add(record(2, new Uint8Array(32), 0));
    await collect(index);
    expect(() => index.add(record(2, new Uint8Array(32), 1))).toThrow('after batches');
    await index.close();
  });

  it('merges hundreds of spilled runs in batches of at most 1024 records', async () => {
    const index = new PackIndex(work, 64 * BLOB_RECORD_SIZE);
    const recs = records(20000);
    for (const r of recs) await index.add(r);
    let largest = 0;
    const parts: Uint8Array[] = [];
    for await (const b of index.batches()) {
      largest = Math.max(largest, b.length);
      parts.push(b);
    }
    await index.close();
    expect(largest).toBeLessThanOrEqual(1024 * BLOB_RECORD_SIZE);
    expect(Buffer.compare(Buffer.concat(parts), Buffer.concat(klosetOrder(recs)))).toBe(0);
    expect(readdirSync(work)).toEqual([]);
  });
});
