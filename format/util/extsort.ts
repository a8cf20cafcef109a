import { randomBytes } from 'node:crypto';
import { mkdir, open, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

export type KeyCompare = (a: string, b: string) => number;

export interface ExternalSorterOptions {
  compare: KeyCompare;
  /** Directory for the run files (created if missing). */
  tmpDir: string;
  /** Estimated heap footprint of the in-memory buffer before it is spilled; default 64 MiB. */
  memoryBytes?: number;
}

export interface SortedOptions {
  /** Yield the exact reverse of the ascending sequence. */
  descending?: boolean;
  /** Yield one record per group of keys that compare equal: the one added first. */
  unique?: boolean;
}

const MiB = 1 << 20;
const DEFAULT_MEMORY = 64 * MiB;
/** Largest read window per run, and the write buffer size. */
const MAX_WINDOW = MiB;
const MIN_WINDOW = 16 * 1024;
async function* flatten<T>(batches: AsyncIterable<T[]>): AsyncGenerator<T> {
  for await (const batch of batches) yield* batch;
}

/** Records per batch of sortedBatches(). */
const BATCH = 1024;
/** Most runs merged at once; more runs are first merged in groups into longer runs. */
const MAX_FAN_IN = 64;
/** Per record: the key's array slot, slab/offset/length slots and the permutation the sort builds. */
const RECORD_OVERHEAD = 40;
/** High bit of the stored key length: the key is UTF-16LE (a string that is not well-formed UTF-16). */
const UTF16_FLAG = 0x80000000;

const isWellFormed: (s: string) => boolean =
  typeof (String.prototype as { isWellFormed?: unknown }).isWellFormed === 'function'
    ? (s) => (s as unknown as { isWellFormed(): boolean }).isWellFormed()
    : (s) => {
        for (let i = 0; i < s.length; i++) {
          const c = s.charCodeAt(i);
          if (c < 0xd800 || c > 0xdfff) continue;
          if (c >= 0xdc00) return false;
          const d = s.charCodeAt(i + 1);
          if (!(d >= 0xdc00 && d <= 0xdfff)) return false;
          i++;
        }
        return true;
      };

/**
 * An external merge sorter of (key, value) records, keys ordered by a caller's comparator.
 *
 * Records are buffered in memory (keys as strings, values packed into slabs) until the estimated
 * footprint exceeds `memoryBytes`; the buffer is then sorted (stably) and written as a run file.
 * `sorted()` merges the runs and the in-memory remainder with a binary heap, reading each run
 * through a bounded window; ties between runs go to the earlier run, so the merge is stable.
 *
 * Run file format, one record after another:
 *   u32 keyLen | key (UTF-8) | u32 valueLen | value | u32 (8 + keyLen + valueLen)
 * all little-endian. The trailing length lets a run be walked from either end: `descending`
 * reads every run backwards and merges with the inverted comparator (ties to the later run),
 * which yields exactly the reverse of the ascending sequence, equal keys included (latest added
 * first). If keyLen has its high bit set, the key is stored as UTF-16LE instead: strings with
 * lone surrogates do not survive UTF-8.
 *
 * With `unique`, each group of equal keys yields the record added first, in either direction.
 *
 * Memory: the buffer (≤ memoryBytes, estimated), plus while merging one window per run (at
 * most MAX_FAN_IN runs at once, each window ≤ 1 MiB and ≤ memoryBytes / runs, ≥ 16 KiB).
 * Yielded values are fresh copies owned by the caller.
 */
export class ExternalSorter {
  private readonly compare: KeyCompare;
  private readonly tmpDir: string;
  private readonly memoryBytes: number;
  private readonly slabSize: number;

  // The in-memory buffer: keys, and each value's slab, offset and length.
  private keys: string[] = [];
  private slabOf = new Uint32Array(1024);
  private offOf = new Uint32Array(1024);
  private lenOf = new Uint32Array(1024);
  private slabs: Uint8Array[] = [];
  private slabUsed = 0;
  private footprint = 0;

  /** Run files in creation order (earlier runs hold earlier records). */
  private runs: string[] = [];
  /** Every temporary file we created and have not removed yet. */
  private readonly files = new Set<string>();
  private readonly handles = new Set<FileHandle>();
  private pending: Promise<void> = Promise.resolve();
  private total = 0;
  private consumed = false;
  private closed = false;
  private failure: unknown = undefined;
  private dirReady = false;

  constructor(opts: ExternalSorterOptions) {
    this.compare = opts.compare;
    this.tmpDir = opts.tmpDir;
    this.memoryBytes = Math.max(1, Math.floor(opts.memoryBytes ?? DEFAULT_MEMORY));
    let slab = 256;
    while (slab < MAX_WINDOW && slab * 16 < this.memoryBytes) slab *= 2;
    this.slabSize = slab;
  }

  get count(): number {
    return this.total;
  }

  async add(key: string, value: Uint8Array): Promise<void> {
    this.usable();
    if (this.consumed) throw new Error('ExternalSorter: add() after sorted()');
    const n = this.keys.length;
    if (n === this.slabOf.length) this.growIndex();
    const len = value.length;
    // Values go into the current slab; a value that does not fit starts a new one.
    if (this.slabs.length === 0 || this.slabUsed + len > this.slabSize) {
      const size = Math.max(this.slabSize, len);
      this.slabs.push(new Uint8Array(size));
      this.slabUsed = 0;
      this.footprint += size;
    }
    const slab = this.slabs[this.slabs.length - 1]!;
    const off = this.slabUsed;
    if (len <= 64) for (let i = 0; i < len; i++) slab[off + i] = value[i]!;
    else slab.set(value, off);
    this.slabUsed += len;
    this.keys.push(key);
    this.slabOf[n] = this.slabs.length - 1;
    this.offOf[n] = off;
    this.lenOf[n] = len;
    // V8 keeps Latin-1 strings at one byte per unit, others at two; plus a header.
    const bytes = Buffer.byteLength(key, 'utf8') === key.length ? key.length : 2 * key.length;
    this.footprint += bytes + 24 + RECORD_OVERHEAD;
    this.total++;
    if (this.footprint > this.memoryBytes) await this.spill();
  }

  /**
   * The records in order. Consumes the sorter: no more add(), and the temporary files are
   * removed when the iteration ends (completed, broken off or failed).
   */
  sorted(opts: SortedOptions = {}): AsyncGenerator<[string, Uint8Array]> {
    return flatten(this.sortedBatches(opts));
  }

  /**
   * sorted() in arrays of consecutive records: one await per batch instead of one per record,
   * which is most of the cost of reading a large sorter back.
   */
  sortedBatches(opts: SortedOptions = {}): AsyncGenerator<[string, Uint8Array][]> {
    this.usable();
    if (this.consumed) throw new Error('ExternalSorter: sorted() called twice');
    this.consumed = true;
    return this.merge(opts.descending === true, opts.unique === true);
  }

  /** Removes the temporary files; idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    this.consumed = true;
    await this.pending.catch(() => {});
    await this.cleanup();
    this.dropBuffer();
  }

  // ---------------------------------------------------------------- buffer

  private usable(): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.closed) throw new Error('ExternalSorter: closed');
  }

  private growIndex(): void {
    const grow = (a: Uint32Array<ArrayBuffer>): Uint32Array<ArrayBuffer> => {
      const b = new Uint32Array(a.length * 2);
      b.set(a);
      return b;
    };
    this.slabOf = grow(this.slabOf);
    this.offOf = grow(this.offOf);
    this.lenOf = grow(this.lenOf);
  }

  private dropBuffer(): void {
    this.keys = [];
    this.slabs = [];
    this.slabOf = new Uint32Array(1024);
    this.offOf = new Uint32Array(1024);
    this.lenOf = new Uint32Array(1024);
    this.slabUsed = 0;
    this.footprint = 0;
  }

  /** Stable ascending permutation of the buffer. */
  private sortBuffer(): number[] {
    const keys = this.keys;
    const cmp = this.compare;
    const perm = new Array<number>(keys.length);
    for (let i = 0; i < perm.length; i++) perm[i] = i;
    return perm.sort((i, j) => cmp(keys[i]!, keys[j]!) || i - j);
  }

  private spill(): Promise<void> {
    // Take the buffer synchronously, so that concurrent add() calls start a fresh one.
    const keys = this.keys;
    const slabs = this.slabs;
    const slabOf = this.slabOf;
    const offOf = this.offOf;
    const lenOf = this.lenOf;
    let perm: number[];
    try {
      perm = this.sortBuffer();
    } catch (e) {
      return this.fail(e);
    }
    this.dropBuffer();
    const path = this.newFile();
    this.runs.push(path);
    const job = this.pending.then(async () => {
      const w = await RunWriter.create(path, this);
      try {
        for (const i of perm) {
          const slab = slabs[slabOf[i]!]!;
          const off = offOf[i]!;
          w.write(keys[i]!, slab, off, off + lenOf[i]!);
          if (w.full) await w.flush();
        }
        await w.end();
      } finally {
        await w.close();
      }
    });
    this.pending = job.catch(() => {});
    return job.catch((e) => this.fail(e));
  }

  private async fail(e: unknown): Promise<never> {
    if (this.failure === undefined) this.failure = e;
    await this.cleanup();
    this.dropBuffer();
    throw e;
  }

  private newFile(): string {
    const path = join(this.tmpDir, `extsort-${process.pid}-${randomBytes(12).toString('hex')}.run`);
    this.files.add(path);
    return path;
  }

  /** @internal for RunWriter/RunReader */
  async openFile(path: string, flags: string): Promise<FileHandle> {
    if (this.closed) throw new Error('ExternalSorter: closed');
    if (flags !== 'r' && !this.dirReady) {
      await mkdir(this.tmpDir, { recursive: true, mode: 0o700 });
      this.dirReady = true;
    }
    const fh = await open(path, flags, 0o600);
    if (this.closed) {
      await fh.close().catch(() => {});
      throw new Error('ExternalSorter: closed');
    }
    this.handles.add(fh);
    return fh;
  }

  /** @internal */
  async closeFile(fh: FileHandle): Promise<void> {
    if (!this.handles.delete(fh)) return;
    await fh.close();
  }

  private async removeFile(path: string): Promise<void> {
    this.files.delete(path);
    await rm(path, { force: true });
  }

  private async cleanup(): Promise<void> {
    const handles = [...this.handles];
    this.handles.clear();
    await Promise.all(handles.map((h) => h.close().catch(() => {})));
    const files = [...this.files];
    this.files.clear();
    this.runs = [];
    await Promise.all(files.map((f) => rm(f, { force: true }).catch(() => {})));
  }

  // ---------------------------------------------------------------- merge

  private async *merge(descending: boolean, unique: boolean): AsyncGenerator<[string, Uint8Array][]> {
    const readers: RunReader[] = [];
    try {
      await this.pending;
      this.usable();
      const perm = this.sortBuffer();
      const memory = new MemorySource(this.keys, perm, this.slabs, this.slabOf, this.offOf, this.lenOf, descending);

      // Too many runs: merge consecutive groups (ascending, stable) into longer runs first.
      while (this.runs.length > MAX_FAN_IN) {
        const next: string[] = [];
        for (let g = 0; g < this.runs.length; g += MAX_FAN_IN) {
          const group = this.runs.slice(g, g + MAX_FAN_IN);
          if (group.length === 1) {
            next.push(group[0]!);
            continue;
          }
          next.push(await this.mergeGroup(group));
        }
        this.runs = next;
      }

      const window = this.windowFor(this.runs.length);
      for (const path of this.runs) readers.push(await RunReader.open(path, this, window, descending));
      const sources: Source[] = [...readers, memory];
      sources.forEach((s, i) => (s.order = i));
      const heap = new Heap(this.compare, descending);
      for (const s of sources) if (await s.advance()) heap.push(s);

      const cmp = this.compare;
      // With `unique`, the record held back for its group of equal keys: the group's first
      // record ascending, its last descending (the earliest added, either way).
      let held: [string, Uint8Array] | null = null;
      let batch: [string, Uint8Array][] = [];
      while (heap.size > 0) {
        const top = heap.top;
        const rec: [string, Uint8Array] = [top.key, top.value];
        const more = top.advance();
        if (more === true || (more !== false && (await more))) heap.siftTop();
        else heap.pop();
        if (!unique) batch.push(rec);
        else if (held === null) held = rec;
        else if (cmp(held[0], rec[0]) === 0) {
          if (descending) held = rec;
        } else {
          batch.push(held);
          held = rec;
        }
        if (batch.length >= BATCH) {
          yield batch;
          batch = [];
        }
      }
      if (held !== null) batch.push(held);
      if (batch.length > 0) yield batch;
    } finally {
      this.closed = true;
      await this.cleanup();
      this.dropBuffer();
    }
  }

  private windowFor(runs: number): number {
    const w = Math.floor(this.memoryBytes / Math.max(1, runs));
    return Math.min(MAX_WINDOW, Math.max(MIN_WINDOW, w));
  }

  /** Merges consecutive runs into one new run (ascending, ties to the earlier run); removes them. */
  private async mergeGroup(group: string[]): Promise<string> {
    const out = this.newFile();
    const window = this.windowFor(group.length);
    const readers: RunReader[] = [];
    const w = await RunWriter.create(out, this);
    try {
      for (const path of group) {
        const r = await RunReader.open(path, this, window, false);
        r.copyValues = false;
        readers.push(r);
      }
      const heap = new Heap(this.compare, false);
      readers.forEach((r, i) => (r.order = i));
      for (const r of readers) if (await r.advance()) heap.push(r);
      while (heap.size > 0) {
        const top = heap.top as RunReader;
        w.write(top.key, top.rawBuf, top.valStart, top.valEnd);
        if (w.full) await w.flush();
        const more = top.advance();
        if (more === true || (more !== false && (await more))) heap.siftTop();
        else heap.pop();
      }
      await w.end();
    } finally {
      await w.close();
      for (const r of readers) await r.close();
    }
    for (const path of group) await this.removeFile(path);
    return out;
  }
}

// ------------------------------------------------------------------ sources and heap

interface Source {
  order: number;
  key: string;
  value: Uint8Array;
  /** Moves to the next record; false when exhausted. Synchronous while the data is buffered. */
  advance(): boolean | Promise<boolean>;
}

class MemorySource implements Source {
  order = 0;
  key = '';
  value: Uint8Array = new Uint8Array(0);
  private pos: number;

  constructor(
    private readonly keys: string[],
    private readonly perm: number[],
    private readonly slabs: Uint8Array[],
    private readonly slabOf: Uint32Array,
    private readonly offOf: Uint32Array,
    private readonly lenOf: Uint32Array,
    private readonly descending: boolean,
  ) {
    this.pos = descending ? perm.length : -1;
  }

  advance(): boolean {
    const p = this.descending ? --this.pos : ++this.pos;
    if (p < 0 || p >= this.perm.length) return false;
    const i = this.perm[p]!;
    this.key = this.keys[i]!;
    const off = this.offOf[i]!;
    this.value = this.slabs[this.slabOf[i]!]!.slice(off, off + this.lenOf[i]!);
    return true;
  }
}

/** Binary min-heap of sources by (key, run order); `descending` inverts both. */
class Heap {
  private readonly items: Source[] = [];

  constructor(private readonly cmp: KeyCompare, private readonly descending: boolean) {}

  get size(): number {
    return this.items.length;
  }

  get top(): Source {
    return this.items[0]!;
  }

  private less(a: Source, b: Source): boolean {
    const c = this.cmp(a.key, b.key);
    if (c < 0) return !this.descending;
    if (c > 0) return this.descending;
    return this.descending ? a.order > b.order : a.order < b.order;
  }

  push(s: Source): void {
    const items = this.items;
    let i = items.length;
    items.push(s);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(s, items[p]!)) break;
      items[i] = items[p]!;
      i = p;
    }
    items[i] = s;
  }

  pop(): void {
    const items = this.items;
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      this.siftTop();
    }
  }

  /** Restores the heap after the top's key changed. */
  siftTop(): void {
    const items = this.items;
    const n = items.length;
    const s = items[0]!;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.less(items[r]!, items[l]!) ? r : l;
      if (!this.less(items[c]!, s)) break;
      items[i] = items[c]!;
      i = c;
    }
    items[i] = s;
  }
}

// ------------------------------------------------------------------ run files

class RunWriter {
  private buf: Buffer = Buffer.allocUnsafeSlow(MAX_WINDOW);
  private pos = 0;
  private filePos = 0;

  private constructor(private readonly fh: FileHandle, private readonly owner: ExternalSorter) {}

  static async create(path: string, owner: ExternalSorter): Promise<RunWriter> {
    return new RunWriter(await owner.openFile(path, 'wx'), owner);
  }

  /** True when the buffer should be flushed before the next write. */
  get full(): boolean {
    return this.pos >= this.buf.length - (this.buf.length >> 3);
  }

  write(key: string, src: Uint8Array, start: number, end: number): void {
    const vlen = end - start;
    const wf = isWellFormed(key);
    const keyMax = wf ? key.length * 3 : key.length * 2;
    this.reserve(12 + keyMax + vlen);
    const buf = this.buf;
    const at = this.pos;
    const klen = buf.write(key, at + 4, wf ? 'utf8' : 'utf16le');
    buf.writeUInt32LE(wf ? klen : (klen | UTF16_FLAG) >>> 0, at);
    let p = at + 4 + klen;
    buf.writeUInt32LE(vlen, p);
    p += 4;
    if (vlen <= 64) for (let i = 0; i < vlen; i++) buf[p + i] = src[start + i]!;
    else buf.set(src.subarray(start, end), p);
    p += vlen;
    buf.writeUInt32LE(8 + klen + vlen, p);
    this.pos = p + 4;
  }

  /** Makes room for n bytes: flushing cannot be awaited here, so the buffer grows instead. */
  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const size = Math.max(this.buf.length * 2, this.pos + n);
    const b = Buffer.allocUnsafeSlow(size);
    this.buf.copy(b, 0, 0, this.pos);
    this.buf = b;
  }

  async flush(): Promise<void> {
    let off = 0;
    while (off < this.pos) {
      const { bytesWritten } = await this.fh.write(this.buf, off, this.pos - off, this.filePos);
      off += bytesWritten;
      this.filePos += bytesWritten;
    }
    this.pos = 0;
    // A buffer grown for a huge record goes back to the normal size.
    if (this.buf.length > MAX_WINDOW) this.buf = Buffer.allocUnsafeSlow(MAX_WINDOW);
  }

  async end(): Promise<void> {
    await this.flush();
  }

  async close(): Promise<void> {
    await this.owner.closeFile(this.fh);
  }
}

/**
 * Reads a run forwards or backwards through a window. The current record's key is decoded,
 * its value copied out; `rawBuf[valStart, valEnd)` is the value in the window (valid until
 * the next advance()).
 */
class RunReader implements Source {
  order = 0;
  key = '';
  value: Uint8Array = new Uint8Array(0);
  rawBuf: Buffer;
  /** The window as a plain Uint8Array (values are copied out of it). */
  private u8: Uint8Array;
  valStart = 0;
  valEnd = 0;
  /** Copy values out (false for run-to-run merges, which use rawBuf). */
  copyValues = true;

  private start = 0;
  private end = 0;
  /** Forward: file offset of the byte after the window. Backward: file offset of buf[start]. */
  private filePos: number;
  private done = false;

  private constructor(
    private readonly fh: FileHandle,
    private readonly owner: ExternalSorter,
    private readonly size: number,
    window: number,
    private readonly backward: boolean,
  ) {
    this.rawBuf = Buffer.allocUnsafeSlow(window);
    this.u8 = new Uint8Array(this.rawBuf.buffer, this.rawBuf.byteOffset, this.rawBuf.length);
    this.filePos = backward ? size : 0;
    if (backward) this.start = this.end = window;
  }

  static async open(path: string, owner: ExternalSorter, window: number, backward: boolean): Promise<RunReader> {
    const fh = await owner.openFile(path, 'r');
    try {
      const { size } = await fh.stat();
      return new RunReader(fh, owner, size, window, backward);
    } catch (e) {
      await owner.closeFile(fh).catch(() => {});
      throw e;
    }
  }

  async close(): Promise<void> {
    await this.owner.closeFile(this.fh);
  }

  advance(): boolean | Promise<boolean> {
    if (this.done) return false;
    if (this.backward ? this.parseBackward() : this.parseForward()) return true;
    return this.refillAndParse();
  }

  private async refillAndParse(): Promise<boolean> {
    for (;;) {
      const need = this.needed();
      const avail = this.end - this.start;
      const remaining = this.backward ? this.filePos : this.size - this.filePos;
      if (remaining === 0) {
        if (avail === 0) {
          this.done = true;
          await this.close();
          return false;
        }
        throw new Error('ExternalSorter: truncated run file');
      }
      await (this.backward ? this.fillBackward(need) : this.fillForward(need));
      if (this.backward ? this.parseBackward() : this.parseForward()) return true;
    }
  }

  /** Bytes needed for the next record, as far as the window tells (at least a bit more). */
  private needed(): number {
    const buf = this.rawBuf;
    const avail = this.end - this.start;
    if (avail < 4) return 12;
    if (this.backward) return 4 + buf.readUInt32LE(this.end - 4);
    const klen = buf.readUInt32LE(this.start) & ~UTF16_FLAG;
    if (avail < 8 + klen) return 8 + klen;
    return 12 + klen + buf.readUInt32LE(this.start + 4 + klen);
  }

  private async fillForward(need: number): Promise<void> {
    let buf = this.rawBuf;
    const avail = this.end - this.start;
    if (need > buf.length) {
      const b = Buffer.allocUnsafeSlow(need);
      buf.copy(b, 0, this.start, this.end);
      this.setBuf((buf = b));
    } else if (this.start > 0) {
      buf.copy(buf, 0, this.start, this.end);
    }
    this.start = 0;
    this.end = avail;
    const want = Math.min(buf.length - this.end, this.size - this.filePos);
    let got = 0;
    while (got < want) {
      const { bytesRead } = await this.fh.read(buf, this.end + got, want - got, this.filePos + got);
      if (bytesRead === 0) throw new Error('ExternalSorter: run file shrank');
      got += bytesRead;
    }
    this.end += got;
    this.filePos += got;
  }

  private async fillBackward(need: number): Promise<void> {
    let buf = this.rawBuf;
    const avail = this.end - this.start;
    if (need > buf.length) {
      const b = Buffer.allocUnsafeSlow(need);
      buf.copy(b, b.length - avail, this.start, this.end);
      this.setBuf((buf = b));
    } else if (this.end < buf.length) {
      buf.copy(buf, buf.length - avail, this.start, this.end);
    }
    this.end = buf.length;
    this.start = this.end - avail;
    const want = Math.min(this.start, this.filePos);
    const from = this.filePos - want;
    let got = 0;
    while (got < want) {
      const { bytesRead } = await this.fh.read(buf, this.start - want + got, want - got, from + got);
      if (bytesRead === 0) throw new Error('ExternalSorter: run file shrank');
      got += bytesRead;
    }
    this.start -= want;
    this.filePos = from;
  }

  private setBuf(b: Buffer): void {
    this.rawBuf = b;
    this.u8 = new Uint8Array(b.buffer, b.byteOffset, b.length);
  }

  private parseForward(): boolean {
    const buf = this.rawBuf;
    const s = this.start;
    const avail = this.end - s;
    if (avail < 12) return false;
    const kraw = buf.readUInt32LE(s);
    const klen = (kraw & ~UTF16_FLAG) >>> 0;
    if (avail < 12 + klen) return false;
    const vlen = buf.readUInt32LE(s + 4 + klen);
    const total = 12 + klen + vlen;
    if (avail < total) return false;
    this.take(s, kraw, klen, vlen, buf.readUInt32LE(s + 8 + klen + vlen));
    this.start = s + total;
    return true;
  }

  private parseBackward(): boolean {
    const buf = this.rawBuf;
    const e = this.end;
    const avail = e - this.start;
    if (avail < 12) return false;
    const len = buf.readUInt32LE(e - 4);
    if (avail < len + 4) return false;
    const s = e - 4 - len;
    const kraw = buf.readUInt32LE(s);
    const klen = (kraw & ~UTF16_FLAG) >>> 0;
    if (8 + klen > len) throw new Error('ExternalSorter: corrupt run file');
    const vlen = buf.readUInt32LE(s + 4 + klen);
    this.take(s, kraw, klen, vlen, len);
    this.end = s;
    return true;
  }

  private take(s: number, kraw: number, klen: number, vlen: number, len: number): void {
    if (len !== 8 + klen + vlen) throw new Error('ExternalSorter: corrupt run file');
    const buf = this.rawBuf;
    this.key = buf.toString(kraw & UTF16_FLAG ? 'utf16le' : 'utf8', s + 4, s + 4 + klen);
    this.valStart = s + 8 + klen;
    this.valEnd = this.valStart + vlen;
    if (this.copyValues) this.value = this.u8.slice(this.valStart, this.valEnd);
  }
}
