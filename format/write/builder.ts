import { randomBytes } from 'node:crypto';
import { ByteWriter } from '../binary.js';
import { Chunker, type ChunkingParams } from '../chunking/fastcdc.js';
import { GoTime } from '../gotime.js';
import { RT } from '../resources.js';
import { compareBytes, pathCmp } from '../snapshot/btree.js';
import type { FileInfo } from '../snapshot/entry.js';
import type { KeyValue } from '../snapshot/header.js';
import { isDir, isRegular } from '../snapshot/mode.js';
import { basename, cleanPath, dirname } from '../snapshot/paths.js';
import { serializeEntry, serializeErrorItem, serializeHeader, serializeSummary } from '../snapshot/serialize.js';
import type { Summary } from '../snapshot/summary.js';
import { ExternalSorter } from '../util/extsort.js';
import { writeBTree } from './btree.js';
import { ContentCutter, xattrBlobs } from './content.js';
import { InProcessFiles, type FileEncoder } from './files.js';
import { SinkEmitter, type BlobSink } from './blob-sink.js';
import { errorText, type TreeSource } from './source.js';
import { addFile, addSubdirectory, emptySummary, finishSummary, type FileSummary } from './summary.js';

const ZERO_MAC = new Uint8Array(32);
/** Children of one directory examined at once (lstat is synchronous for local trees, not for snapshots). */
const LSTAT_CONCURRENCY = 8;

/** Runs fn over items with at most `limit` in flight; results keep the items' order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export interface SnapshotOptions {
  /** Snapshot id; random when absent (sync keeps the source's). */
  id?: Uint8Array;
  timestamp?: GoTime;
  /**
   * Nanoseconds; ptar never commits a duration, `-k` keeps the source's. 'measured': the build's
   * own, as a Kloset commit records it (backups into a store, sync).
   */
  duration?: bigint | 'measured';
  name?: string;
  category?: string;
  environment?: string;
  perimeter?: string;
  job?: string;
  tags?: string[];
  context: KeyValue[];
  chunking: ChunkingParams;
  tmpDir: string;
  /** Paths to leave out (the archive being written, -ignore patterns). */
  exclude?: (path: string, info: FileInfo) => boolean;
  /** Makes the encoder of non-directories (started by build()); by default on this thread, reading them through the source. */
  files?: () => FileEncoder;
  onEvent?: (e: BuildEvent) => void;
}

export type BuildEvent =
  | { type: 'file'; path: string; size: number }
  | { type: 'directory'; path: string }
  | { type: 'error'; path: string; error: string };

export interface SnapshotResult {
  id: Uint8Array;
  root: string;
  entries: number;
  files: number;
  bytes: number;
  errors: number;
  summary: Summary;
}

interface Child {
  dir: boolean;
  bytes: Uint8Array;
  mac: Uint8Array;
  summary: Summary | FileSummary;
}

/**
 * Builds one snapshot of `root` into `sink`, the way Plakar's backup does: every ancestor of the
 * root and every entry below it become VFS entries; regular files are cut with FastCDC into chunks
 * stored once; each directory gets a dirpack (its children's entries) and a summary; then the six
 * B-trees and the header. Unreadable entries are recorded in the error tree and the rest goes on.
 * The walk holds one directory's children at a time; the trees' keys wait in external sorters.
 */
export class SnapshotBuilder {
  private readonly vfs: ExternalSorter;
  private readonly contentTypes: ExternalSorter;
  private readonly dirpacks: ExternalSorter;
  private readonly summaries: ExternalSorter;
  private readonly xattrs: ExternalSorter;
  private readonly errorTree: ExternalSorter;
  private readonly errorsByDir = new Map<string, number>();
  private started = 0n;
  private readonly result: Omit<SnapshotResult, 'summary'>;
  /** For dirpacks and directories' attributes; files go to the encoder. */
  private readonly chunker: Chunker;
  private files!: FileEncoder;
  /** The first error that is not an unreadable entry: it ends the walk. */
  private failure: unknown = undefined;

  constructor(private readonly sink: BlobSink, private readonly src: TreeSource, private readonly opts: SnapshotOptions) {
    // Six trees' keys wait in sorters; 4 MiB each keeps the walk's memory flat, spilling beyond.
    const sorter = (compare: (a: string, b: string) => number): ExternalSorter => new ExternalSorter({ compare, tmpDir: opts.tmpDir, memoryBytes: 4 << 20 });
    this.vfs = sorter(pathCmp);
    this.contentTypes = sorter(compareBytes);
    this.dirpacks = sorter(compareBytes);
    this.summaries = sorter(compareBytes);
    this.xattrs = sorter(pathCmp);
    this.errorTree = sorter(compareBytes);
    this.chunker = new Chunker(opts.chunking);
    this.result = { id: opts.id ?? new Uint8Array(randomBytes(32)), root: '/', entries: 0, files: 0, bytes: 0, errors: 0 };
  }

  private mac(b: Uint8Array): Uint8Array {
    return this.sink.codec.computeMac(b);
  }

  /** The snapshot's id, known before it is built (a backup names its lock after it). */
  get id(): Uint8Array {
    return this.result.id;
  }

  async build(rootPath: string): Promise<SnapshotResult> {
    this.started = process.hrtime.bigint();
    this.files = this.opts.files?.() ?? new InProcessFiles(this.sink, this.src, this.opts.chunking);
    try {
      let root = cleanPath(rootPath);
      const info = await this.src.lstat(root, true);
      // A file is backed up from its parent directory, which then holds only that file.
      const only = isDir(info.mode) ? null : basename(root);
      if (only !== null) root = dirname(root);
      this.result.root = root;
      const chain = root === '/' ? [] : root.slice(1).split('/');
      const top = await (await this.walkDir('/', await this.src.lstat('/', false), chain, only)).done;
      await this.persist(top.summary as Summary);
      return { ...this.result, summary: top.summary as Summary };
    } finally {
      await this.files.close();
      await Promise.all([this.vfs, this.contentTypes, this.dirpacks, this.summaries, this.xattrs, this.errorTree].map((s) => s.close()));
    }
  }

  private async recordError(path: string, error: string): Promise<void> {
    const bytes = serializeErrorItem({ name: path, error });
    const mac = this.mac(bytes);
    await this.sink.put(RT.ERROR_ENTRY, mac, bytes);
    await this.errorTree.add(path, mac);
    const parent = dirname(path);
    this.errorsByDir.set(parent, (this.errorsByDir.get(parent) ?? 0) + 1);
    this.result.errors++;
    this.opts.onEvent?.({ type: 'error', path, error });
  }

  /** Catches an unreadable entry's error (recorded, the walk goes on); anything else propagates. */
  private async guard<T>(path: string, p: Promise<T>): Promise<T | null> {
    try {
      return await p;
    } catch (e) {
      if (!(e as NodeJS.ErrnoException).code) throw e;
      await this.recordError(path, errorText(e, path));
      return null;
    }
  }

  /**
   * Walks a directory: stores its entry, lists it, hands its files to the encoder and walks its
   * subdirectories; `done` completes it (dirpack and summary) once all its children are encoded,
   * so the walk runs ahead of the encoding by as much as the encoder has room for.
   * `chain` lists the components still to descend to reach the backup root (its ancestors hold
   * only the next one); `only` restricts the root to a single child when a file was given.
   */
  private async walkDir(path: string, info: FileInfo, chain: string[], only: string | null): Promise<{ done: Promise<Child> }> {
    const xattrNames = chain.length === 0 ? await this.storeXattrs(path) : [];
    const bytes = serializeEntry({ parentPath: dirname(path), fileInfo: info, summary: null, object: ZERO_MAC, extendedAttributes: xattrNames, tags: [] });
    const mac = this.mac(bytes);
    await this.sink.put(RT.VFS_ENTRY, mac, bytes);
    await this.vfs.add(path, mac);
    this.result.entries++;
    this.opts.onEvent?.({ type: 'directory', path });

    let names: string[];
    if (chain.length > 0) names = [chain[0]!];
    else if (only !== null) names = [only];
    else {
      try {
        names = await this.src.readdir(path);
      } catch (e) {
        await this.recordError(path, errorText(e, path));
        names = [];
      }
      names.sort(compareBytes);
    }

    const ancestor = chain.length > 1;
    const infos = await mapLimit(names, LSTAT_CONCURRENCY, async (name) => {
      const child = path === '/' ? `/${name}` : `${path}/${name}`;
      try {
        const ci = await this.src.lstat(child, !ancestor);
        return chain.length === 0 && this.opts.exclude?.(child, ci) ? null : { child, ci };
      } catch (e) {
        await this.recordError(child, errorText(e, child));
        return null;
      }
    });
    // Children complete out of order; a failure is noticed here at once, and reported by `done`.
    const pending: Promise<Child | null>[] = [];
    const track = (p: Promise<Child | null>): void => {
      p.catch((e) => (this.failure ??= e));
      pending.push(p);
    };
    for (const x of infos) {
      if (this.failure !== undefined) break;
      if (!x) continue;
      if (isDir(x.ci.mode)) {
        const sub = await this.guard(x.child, this.walkDir(x.child, x.ci, chain.slice(1), chain.length > 0 ? only : null));
        if (sub) track(this.guard(x.child, sub.done));
      } else {
        await this.files.room();
        track(this.fileChild(x.child, x.ci));
      }
    }
    return { done: this.finishDir(path, bytes, mac, pending) };
  }

  private async finishDir(path: string, bytes: Uint8Array, mac: Uint8Array, pending: Promise<Child | null>[]): Promise<Child> {
    const children = (await Promise.all(pending)).filter((c): c is Child => c !== null);
    if (this.failure !== undefined) throw this.failure;
    await this.storeDirpack(path, children);
    const summary = emptySummary();
    for (const c of children) {
      if (c.dir) addSubdirectory(summary, c.summary as Summary);
      else addFile(summary, c.summary as FileSummary);
    }
    finishSummary(summary, this.errorsByDir.get(path) ?? 0);
    this.errorsByDir.delete(path);
    const sbytes = serializeSummary(summary);
    const smac = this.mac(sbytes);
    await this.sink.put(RT.VFS_SUMMARY, smac, sbytes);
    await this.summaries.add(path, smac);
    return { dir: true, bytes, mac, summary };
  }

  private async fileChild(path: string, info: FileInfo): Promise<Child | null> {
    const out = await this.files.encode(path, info);
    for (const e of out.errors) await this.recordError(e.path, e.text);
    const r = out.record;
    if (!r) return null;
    for (const x of out.xattrs) await this.xattrs.add(x.key, x.mac);
    await this.vfs.add(path, r.blob.mac);
    await this.contentTypes.add(r.contentTypeKey, r.blob.mac);
    this.result.entries++;
    if (isRegular(info.mode)) {
      this.result.files++;
      this.result.bytes += r.size;
    }
    this.opts.onEvent?.({ type: 'file', path, size: r.size });
    return { dir: false, bytes: r.blob.data, mac: r.blob.mac, summary: r.summary };
  }

  /** Stores each extended attribute of a directory as an object and its record; returns the sorted names. */
  private async storeXattrs(path: string): Promise<string[]> {
    let names: string[];
    try {
      names = await this.src.xattrNames(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOTSUP' || code === 'EOPNOTSUPP') return [];
      await this.recordError(path, errorText(e, path));
      return [];
    }
    names.sort(compareBytes);
    for (const name of names) {
      const out = new SinkEmitter(this.sink);
      const x = xattrBlobs(this.sink.codec, this.chunker, path, name, await this.src.xattr(path, name), out.emit);
      await out.stored;
      await this.xattrs.add(x.key, x.mac);
    }
    return names;
  }

  /** A directory's children as dirpack frames (type, length, entry, entry MAC), stored like a file. */
  private async storeDirpack(path: string, children: Child[]): Promise<void> {
    const w = new ByteWriter();
    for (const c of children) w.u8(c.dir ? 1 : 2).u32(c.bytes.length + 32).bytes(c.bytes).bytes(c.mac);
    const out = new SinkEmitter(this.sink);
    const cut = new ContentCutter(this.sink.codec, this.chunker, 'dirpack', out.emit);
    cut.push(w.finish());
    const content = cut.end();
    await out.stored;
    await this.dirpacks.add(path, content.mac);
  }

  private async persist(rootSummary: Summary): Promise<void> {
    const tree = (s: ExternalSorter, rootType: number, nodeType: number): Promise<Uint8Array> =>
      writeBTree(this.sink, rootType, nodeType, s.sortedBatches({ descending: true, unique: true }));
    const root = await tree(this.vfs, RT.VFS_BTREE, RT.VFS_NODE);
    const errors = await tree(this.errorTree, RT.ERROR_BTREE, RT.ERROR_NODE);
    const xattrs = await tree(this.xattrs, RT.XATTR_BTREE, RT.XATTR_NODE);
    const ct = await tree(this.contentTypes, RT.BTREE_ROOT, RT.BTREE_NODE);
    const dirpack = await tree(this.dirpacks, RT.BTREE_ROOT, RT.BTREE_NODE);
    const summary = await tree(this.summaries, RT.BTREE_ROOT, RT.BTREE_NODE);
    const o = this.opts;
    const header = serializeHeader({
      identifier: this.result.id,
      timestamp: o.timestamp ?? GoTime.fromDate(new Date()),
      duration: o.duration === 'measured' ? process.hrtime.bigint() - this.started : (o.duration ?? 0n),
      identity: { identifier: new Uint8Array(16), publicKey: null },
      name: o.name ?? '',
      category: o.category ?? '',
      environment: o.environment ?? '',
      perimeter: o.perimeter ?? '',
      job: o.job ?? '',
      replicas: 1,
      dataset: '',
      dataClasses: [],
      classifications: [],
      tags: o.tags ?? [],
      context: o.context,
      sources: [
        {
          importer: { type: this.src.type, origin: this.src.origin, directory: this.result.root },
          context: [],
          vfs: { root, xattrs, errors },
          indexes: [
            { name: 'content-type', type: 'btree', value: ct },
            { name: 'dirpack', type: 'btree', value: dirpack },
            { name: 'summary', type: 'btree', value: summary },
          ],
          summary: rootSummary,
        },
      ],
    });
    await this.sink.put(RT.SNAPSHOT, this.result.id, header);
  }
}
