import { randomBytes } from 'node:crypto';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { BLOB_RECORD_SIZE } from '../packfile.js';

const R = BLOB_RECORD_SIZE;
/** Where a record keeps its type and its MAC (packfile.ts: type u32, version u32, MAC, ...). */
const TYPE_AT = 0;
const MAC_AT = 8;
/** Sort keys carry the record's position in their low 24 bits. */
const POSITION_BITS = 24;

/**
 * Kloset lists a packfile's blobs by the string "<type>:<mac hex>": the decimal type first, so
 * type 10 comes before type 2, then the MAC. A type's rank is its place in that order.
 */
const RANK = (() => {
  const types = Array.from({ length: 256 }, (_, t) => t);
  const order = types.map((t) => `${t}:`).sort();
  const rank = new Uint8Array(256);
  order.forEach((s, i) => (rank[Number(s.slice(0, -1))] = i));
  return rank;
})();

/**
 * The packfile index of a ptar being written: one record per stored blob, appended in storage
 * order, spilled unsorted to a temporary file past `memoryBytes`, and sorted once at the end.
 */
export class PackIndex {
  private buf: Uint8Array;
  private used = 0;
  private spill: FileHandle | null = null;
  private readonly spillPath: string;
  private spilled = 0;

  constructor(tmpDir: string, memoryBytes = 8 << 20) {
    this.buf = new Uint8Array(Math.max(1, Math.floor(memoryBytes / R)) * R);
    this.spillPath = join(tmpDir, `pack-index-${randomBytes(6).toString('hex')}`);
  }

  get count(): number {
    return (this.spilled + this.used) / R;
  }

  /** Appends a record (BLOB_RECORD_SIZE bytes); waits only when the buffer goes to disk. */
  add(record: Uint8Array): Promise<void> | void {
    if (record.length !== R) throw new RangeError(`pack index: record of ${record.length} bytes, want ${R}`);
    this.buf.set(record, this.used);
    this.used += R;
    if (this.used === this.buf.length) return this.flush();
  }

  private async flush(): Promise<void> {
    this.spill ??= await open(this.spillPath, 'wx+', 0o600);
    let at = 0;
    while (at < this.used) at += (await this.spill.write(this.buf, at, this.used - at, this.spilled + at)).bytesWritten;
    this.spilled += this.used;
    this.used = 0;
  }

  /** Every record, in Kloset's order, in one buffer; the index is spent. */
  async sorted(threshold = 1 << POSITION_BITS): Promise<Uint8Array> {
    const all = new Uint8Array(this.spilled + this.used);
    if (this.spill !== null) {
      let at = 0;
      while (at < this.spilled) {
        const n = (await this.spill.read(all, at, this.spilled - at, at)).bytesRead;
        if (n === 0) throw new Error('pack index: spill file truncated');
        at += n;
      }
    }
    all.set(this.buf.subarray(0, this.used), this.spilled);
    this.buf = new Uint8Array(0);
    await this.close();
    permute(all, all.length / R <= threshold ? orderByKeys(all) : orderByCompare(all));
    return all;
  }

  async close(): Promise<void> {
    const f = this.spill;
    this.spill = null;
    if (f !== null) await f.close();
    await rm(this.spillPath, { force: true });
  }
}

/** Kloset's order of the records at a and b: type (as its decimal string), then MAC bytes. */
function compareRecords(all: Uint8Array, a: number, b: number): number {
  const d = wideType(all, a) || wideType(all, b) ? compareTypeStrings(all, a, b) : RANK[all[a + TYPE_AT]!]! - RANK[all[b + TYPE_AT]!]!;
  if (d !== 0) return d;
  for (let i = MAC_AT; i < MAC_AT + 32; i++) {
    const e = all[a + i]! - all[b + i]!;
    if (e !== 0) return e;
  }
  return 0;
}

/** A type above 255 (Kloset has none, but a type is a u32). */
function wideType(all: Uint8Array, p: number): boolean {
  return (all[p + TYPE_AT + 1]! | all[p + TYPE_AT + 2]! | all[p + TYPE_AT + 3]!) !== 0;
}

function compareTypeStrings(all: Uint8Array, a: number, b: number): number {
  const v = new DataView(all.buffer, all.byteOffset);
  const s = `${v.getUint32(a + TYPE_AT, true)}:`;
  const t = `${v.getUint32(b + TYPE_AT, true)}:`;
  return s < t ? -1 : s > t ? 1 : 0;
}

/**
 * The sorted order of the records (their positions): a 64-bit key per record (type rank, the MAC's
 * first four bytes, position) sorted natively, then the rare runs of keys equal but for the
 * position compared in full. Up to 2^24 records.
 */
function orderByKeys(all: Uint8Array): Uint32Array {
  const n = all.length / R;
  const keys = new BigUint64Array(n);
  const words = new Uint32Array(keys.buffer);
  for (let i = 0, p = 0; i < n; i++, p += R) {
    if (wideType(all, p)) return orderByCompare(all);
    const m = p + MAC_AT;
    words[2 * i + 1] = ((RANK[all[p + TYPE_AT]!]! << 24) | (all[m]! << 16) | (all[m + 1]! << 8) | all[m + 2]!) >>> 0;
    words[2 * i] = ((all[m + 3]! << POSITION_BITS) | i) >>> 0;
  }
  keys.sort();
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = words[2 * i]! & 0xffffff;
  const prefixAt = (i: number): number => words[2 * i]! >>> POSITION_BITS;
  for (let i = 0; i < n; ) {
    let j = i + 1;
    while (j < n && words[2 * j + 1] === words[2 * i + 1] && prefixAt(j) === prefixAt(i)) j++;
    if (j - i > 1) order.subarray(i, j).sort((a, b) => compareRecords(all, a * R, b * R));
    i = j;
  }
  return order;
}

function orderByCompare(all: Uint8Array): Uint32Array {
  const order = Uint32Array.from({ length: all.length / R }, (_, i) => i);
  return order.sort((a, b) => compareRecords(all, a * R, b * R));
}

/** Rearranges the records in place so that record i becomes the one at order[i], cycle by cycle. */
function permute(all: Uint8Array, order: Uint32Array): void {
  const tmp = new Uint8Array(R);
  const done = new Uint8Array(order.length);
  for (let start = 0; start < order.length; start++) {
    if (done[start] || order[start] === start) continue;
    tmp.set(all.subarray(start * R, start * R + R));
    let i = start;
    for (;;) {
      done[i] = 1;
      const from = order[i]!;
      if (from === start) {
        all.set(tmp, i * R);
        break;
      }
      all.copyWithin(i * R, from * R, from * R + R);
      i = from;
    }
  }
}
