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

/** Records per array that batches() yields. */
const BATCH = 1024;
/** Smallest read window per spilled run, in records. */
const MIN_WINDOW = 256;

/**
 * The packfile index of a ptar being written: one record per stored blob, appended in storage
 * order. Every `memoryBytes` the records are sorted and spilled to a temporary file as a run;
 * batches() merges the runs and the rest, so memory stays at about twice `memoryBytes` however
 * many blobs the archive holds.
 */
export class PackIndex {
  private buf: Uint8Array;
  private used = 0;
  private spill: FileHandle | null = null;
  private readonly spillPath: string;
  private spilled = 0;
  private tailSorted = false;

  /** `fastSortMax`: most records sorted by 64-bit keys, beyond which the comparison sort runs (tests lower it). */
  constructor(tmpDir: string, memoryBytes = 8 << 20, private readonly fastSortMax = 1 << POSITION_BITS) {
    this.buf = new Uint8Array(Math.max(1, Math.floor(memoryBytes / R)) * R);
    this.spillPath = join(tmpDir, `pack-index-${randomBytes(6).toString('hex')}`);
  }

  get count(): number {
    return (this.spilled + this.used) / R;
  }

  /** Appends a record (BLOB_RECORD_SIZE bytes); waits only when the buffer goes to disk. */
  add(record: Uint8Array): Promise<void> | void {
    if (record.length !== R) throw new RangeError(`pack index: record of ${record.length} bytes, want ${R}`);
    if (this.tailSorted) throw new Error('pack index: add() after batches()');
    this.buf.set(record, this.used);
    this.used += R;
    if (this.used === this.buf.length) return this.flush();
  }

  private async flush(): Promise<void> {
    this.sort(this.buf);
    this.spill ??= await open(this.spillPath, 'wx+', 0o600);
    let at = 0;
    while (at < this.used) at += (await this.spill.write(this.buf, at, this.used - at, this.spilled + at)).bytesWritten;
    this.spilled += this.used;
    this.used = 0;
  }

  private sort(records: Uint8Array): void {
    permute(records, records.length / R <= this.fastSortMax ? orderByKeys(records) : orderByCompare(records));
  }

  /**
   * Every record in Kloset's order, in arrays of up to BATCH records that the caller owns; no
   * record may be added after. May be iterated more than once, until close().
   */
  async *batches(): AsyncGenerator<Uint8Array> {
    const tail = this.buf.subarray(0, this.used);
    if (!this.tailSorted) this.sort(tail);
    this.tailSorted = true;
    if (this.spill === null) {
      for (let p = 0; p < tail.length; p += BATCH * R) yield tail.slice(p, p + BATCH * R);
      return;
    }
    const runBytes = this.buf.length;
    const runCount = Math.ceil(this.spilled / runBytes) + 1;
    const window = Math.max(MIN_WINDOW, Math.floor(this.buf.length / R / runCount)) * R;
    const runs: Run[] = [];
    for (let at = 0; at < this.spilled; at += runBytes) runs.push(await Run.open(this.spill, at, Math.min(at + runBytes, this.spilled), window));
    if (tail.length > 0) runs.push(new Run(null, tail, 0, 0));
    yield* merge(runs);
  }

  async close(): Promise<void> {
    const f = this.spill;
    this.spill = null;
    this.buf = new Uint8Array(0);
    if (f !== null) await f.close();
    await rm(this.spillPath, { force: true });
  }
}

/** A sorted run being merged: a window on its records, refilled from the spill file. */
class Run {
  pos = 0;

  constructor(
    private readonly file: FileHandle | null,
    public buf: Uint8Array,
    private next: number,
    private readonly end: number,
  ) {}

  static async open(file: FileHandle, start: number, end: number, window: number): Promise<Run> {
    const run = new Run(file, new Uint8Array(Math.min(window, end - start)), start, end);
    await run.fill();
    return run;
  }

  get done(): boolean {
    return this.pos === this.buf.length;
  }

  /** Reads the next window once this one is spent; false when the run is. */
  async refill(): Promise<boolean> {
    if (this.next === this.end) return false;
    await this.fill();
    return true;
  }

  private async fill(): Promise<void> {
    const buf = this.buf.length <= this.end - this.next ? this.buf : this.buf.subarray(0, this.end - this.next);
    let at = 0;
    while (at < buf.length) {
      const n = (await this.file!.read(buf, at, buf.length - at, this.next + at)).bytesRead;
      if (n === 0) throw new Error('pack index: spill file truncated');
      at += n;
    }
    this.buf = buf;
    this.next += buf.length;
    this.pos = 0;
  }
}

/** Merges sorted runs with a binary heap of their heads; equal records come from the earlier run first. */
async function* merge(runs: Run[]): AsyncGenerator<Uint8Array> {
  const heap = runs.map((_, i) => i);
  const before = (i: number, j: number): boolean => {
    const a = runs[heap[i]!]!;
    const b = runs[heap[j]!]!;
    const d = compareAt(a.buf, a.pos, b.buf, b.pos);
    return d < 0 || (d === 0 && heap[i]! < heap[j]!);
  };
  const swap = (i: number, j: number): void => {
    [heap[i], heap[j]] = [heap[j]!, heap[i]!];
  };
  const down = (i: number): void => {
    for (;;) {
      let m = i;
      for (const c of [2 * i + 1, 2 * i + 2]) if (c < heap.length && before(c, m)) m = c;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) down(i);
  let out = new Uint8Array(BATCH * R);
  let used = 0;
  while (heap.length > 0) {
    const run = runs[heap[0]!]!;
    out.set(run.buf.subarray(run.pos, run.pos + R), used);
    used += R;
    run.pos += R;
    if (run.done && !(await run.refill())) {
      swap(0, heap.length - 1);
      heap.pop();
    }
    if (heap.length > 0) down(0);
    if (used === out.length) {
      yield out;
      out = new Uint8Array(BATCH * R);
      used = 0;
    }
  }
  if (used > 0) yield out.subarray(0, used);
}

/** Kloset's order of the records at x[a] and y[b]: type (as its decimal string), then MAC bytes. */
function compareAt(x: Uint8Array, a: number, y: Uint8Array, b: number): number {
  const d = wideType(x, a) || wideType(y, b) ? compareTypeStrings(x, a, y, b) : RANK[x[a + TYPE_AT]!]! - RANK[y[b + TYPE_AT]!]!;
  if (d !== 0) return d;
  for (let i = MAC_AT; i < MAC_AT + 32; i++) {
    const e = x[a + i]! - y[b + i]!;
    if (e !== 0) return e;
  }
  return 0;
}

function compareRecords(all: Uint8Array, a: number, b: number): number {
  return compareAt(all, a, all, b);
}

/** A type above 255 (Kloset has none, but a type is a u32). */
function wideType(all: Uint8Array, p: number): boolean {
  return (all[p + TYPE_AT + 1]! | all[p + TYPE_AT + 2]! | all[p + TYPE_AT + 3]!) !== 0;
}

function compareTypeStrings(x: Uint8Array, a: number, y: Uint8Array, b: number): number {
  const s = `${new DataView(x.buffer, x.byteOffset).getUint32(a + TYPE_AT, true)}:`;
  const t = `${new DataView(y.buffer, y.byteOffset).getUint32(b + TYPE_AT, true)}:`;
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
