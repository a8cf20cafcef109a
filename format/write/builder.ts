import { randomBytes } from 'node:crypto';
import { ByteWriter } from '../binary.js';
import { Chunker, type ChunkingParams } from '../chunking/fastcdc.js';
import { GoTime } from '../gotime.js';
import { RT } from '../resources.js';
import { compareBytes, pathCmp } from '../snapshot/btree.js';
import type { FileInfo } from '../snapshot/entry.js';
import type { KeyValue } from '../snapshot/header.js';
import { detectContentType } from '../snapshot/mimetype.js';
import { isDir, isRegular, isSymlink } from '../snapshot/mode.js';
import { basename, cleanPath, dirname } from '../snapshot/paths.js';
import { serializeEntry, serializeErrorItem, serializeHeader, serializeObject, serializeSummary, serializeXattr, type ChunkInput } from '../snapshot/serialize.js';
import type { Summary } from '../snapshot/summary.js';
import { ExternalSorter } from '../util/extsort.js';
import { writeBTree } from './btree.js';
import { entropy } from './entropy.js';
import type { BlobSink } from './ptar-writer.js';
import type { TreeSource } from './source.js';
import { addFile, addSubdirectory, emptySummary, finishSummary, type FileSummary } from './summary.js';

const ZERO_MAC = new Uint8Array(32);
const NOT_REGULAR = 'application/x-not-regular-file';
/** Files of one directory read and chunked at once: enough to overlap I/O with hashing and encoding. */
const FILE_CONCURRENCY = 4;

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

/** Go-style error text: "open /path: permission denied". */
export function errorText(e: unknown, path: string): string {
  const err = e as NodeJS.ErrnoException;
  const reason = err.code ? err.message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '').toLowerCase() : err.message;
  return err.syscall ? `${err.syscall} ${path}: ${reason}` : `${path}: ${reason}`;
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
  /** Chunkers are reused: each holds a WebAssembly instance with up to maxSize of memory. */
  private readonly chunkers: Chunker[] = [];
  /** Sorter insertions run one at a time per sorter, whatever the concurrency of the walk. */
  private readonly adds = new Map<ExternalSorter, Promise<void>>();

  constructor(private readonly sink: BlobSink, private readonly src: TreeSource, private readonly opts: SnapshotOptions) {
    // Six trees' keys wait in sorters; 8 MiB each keeps the walk's memory flat, spilling beyond.
    const sorter = (compare: (a: string, b: string) => number): ExternalSorter => new ExternalSorter({ compare, tmpDir: opts.tmpDir, memoryBytes: 8 << 20 });
    this.vfs = sorter(pathCmp);
    this.contentTypes = sorter(compareBytes);
    this.dirpacks = sorter(compareBytes);
    this.summaries = sorter(compareBytes);
    this.xattrs = sorter(pathCmp);
    this.errorTree = sorter(compareBytes);
    this.result = { id: opts.id ?? new Uint8Array(randomBytes(32)), root: '/', entries: 0, files: 0, bytes: 0, errors: 0 };
  }

  private mac(b: Uint8Array): Uint8Array {
    return this.sink.codec.computeMac(b);
  }

  private add(sorter: ExternalSorter, key: string, mac: Uint8Array): Promise<void> {
    const p = (this.adds.get(sorter) ?? Promise.resolve()).then(() => sorter.add(key, mac));
    this.adds.set(sorter, p);
    return p;
  }

  /** The snapshot's id, known before it is built (a backup names its lock after it). */
  get id(): Uint8Array {
    return this.result.id;
  }

  async build(rootPath: string): Promise<SnapshotResult> {
    this.started = process.hrtime.bigint();
    try {
      let root = cleanPath(rootPath);
      const info = await this.src.lstat(root, true);
      // A file is backed up from its parent directory, which then holds only that file.
      const only = isDir(info.mode) ? null : basename(root);
      if (only !== null) root = dirname(root);
      this.result.root = root;
      const chain = root === '/' ? [] : root.slice(1).split('/');
      const top = await this.visitDir('/', await this.src.lstat('/', false), chain, only);
      await this.persist(top.summary as Summary);
      return { ...this.result, summary: top.summary as Summary };
    } finally {
      await Promise.all([this.vfs, this.contentTypes, this.dirpacks, this.summaries, this.xattrs, this.errorTree].map((s) => s.close()));
    }
  }

  private async recordError(path: string, e: unknown): Promise<void> {
    const error = errorText(e, path);
    const bytes = serializeErrorItem({ name: path, error });
    const mac = this.mac(bytes);
    await this.sink.put(RT.ERROR_ENTRY, mac, bytes);
    await this.add(this.errorTree, path, mac);
    const parent = dirname(path);
    this.errorsByDir.set(parent, (this.errorsByDir.get(parent) ?? 0) + 1);
    this.result.errors++;
    this.opts.onEvent?.({ type: 'error', path, error });
  }

  /**
   * `chain` lists the components still to descend to reach the backup root (its ancestors hold
   * only the next one); `only` restricts the root to a single child when a file was given.
   */
  private async visitDir(path: string, info: FileInfo, chain: string[], only: string | null): Promise<Child> {
    const xattrNames = chain.length === 0 ? await this.storeXattrs(path) : [];
    const bytes = serializeEntry({ parentPath: dirname(path), fileInfo: info, summary: null, object: ZERO_MAC, extendedAttributes: xattrNames, tags: [] });
    const mac = this.mac(bytes);
    await this.sink.put(RT.VFS_ENTRY, mac, bytes);
    await this.add(this.vfs, path, mac);
    this.result.entries++;
    this.opts.onEvent?.({ type: 'directory', path });

    let names: string[];
    if (chain.length > 0) names = [chain[0]!];
    else if (only !== null) names = [only];
    else {
      try {
        names = await this.src.readdir(path);
      } catch (e) {
        await this.recordError(path, e);
        names = [];
      }
      names.sort(compareBytes);
    }

    // Files are read and chunked a few at a time; subdirectories are walked one after the other
    // so that only the directories on the current path hold their children in memory.
    const ancestor = chain.length > 1;
    const infos = await mapLimit(names, FILE_CONCURRENCY * 2, async (name) => {
      const child = path === '/' ? `/${name}` : `${path}/${name}`;
      try {
        const ci = await this.src.lstat(child, !ancestor);
        return chain.length === 0 && this.opts.exclude?.(child, ci) ? null : { child, ci };
      } catch (e) {
        await this.recordError(child, e);
        return null;
      }
    });
    const guarded = async (child: string, f: () => Promise<Child>): Promise<Child | null> => {
      try {
        return await f();
      } catch (e) {
        if (!(e as NodeJS.ErrnoException).code) throw e;
        await this.recordError(child, e);
        return null;
      }
    };
    const files = await mapLimit(infos, FILE_CONCURRENCY, async (x) => (x && !isDir(x.ci.mode) ? guarded(x.child, () => this.visitFile(x.child, x.ci)) : null));
    const children: Child[] = [];
    for (const [i, x] of infos.entries()) {
      if (!x) continue;
      const c = isDir(x.ci.mode) ? await guarded(x.child, () => this.visitDir(x.child, x.ci, chain.slice(1), chain.length > 0 ? only : null)) : files[i];
      if (c) children.push(c);
    }

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
    await this.add(this.summaries, path, smac);
    return { dir: true, bytes, mac, summary };
  }

  private async visitFile(path: string, info: FileInfo): Promise<Child> {
    let target = '';
    let object: Uint8Array = ZERO_MAC;
    let contentType = NOT_REGULAR;
    let ent = 0;
    let chunks = 0;
    let size = 0;
    if (isSymlink(info.mode)) target = await this.src.readlink(path);
    else if (isRegular(info.mode)) {
      const o = await this.chunkify(this.src.read(path, info.size), 'file');
      object = o.mac;
      contentType = o.contentType;
      ent = o.entropy;
      chunks = o.chunks;
      size = o.size;
      info = { ...info, size };
      this.result.files++;
      this.result.bytes += size;
    }
    const xattrNames = isSymlink(info.mode) ? [] : await this.storeXattrs(path);
    const bytes = serializeEntry({
      parentPath: dirname(path),
      fileInfo: info,
      summary: null,
      symlinkTarget: target,
      object,
      contentType,
      entropy: ent,
      chunks,
      extendedAttributes: xattrNames,
      tags: [],
    });
    const mac = this.mac(bytes);
    await this.sink.put(RT.VFS_ENTRY, mac, bytes);
    await this.add(this.vfs, path, mac);
    await this.add(this.contentTypes, `/${contentType.split(';')[0]}${path}`, mac);
    this.result.entries++;
    this.opts.onEvent?.({ type: 'file', path, size });
    const summary: FileSummary = {
      size,
      objects: object === ZERO_MAC ? 0 : 1,
      chunks,
      mode: info.mode,
      modTime: info.modTime.sec,
      contentType,
      entropy: ent,
    };
    return { dir: false, bytes, mac, summary };
  }

  /** Stores each extended attribute's value as an object and its record; returns the sorted names. */
  private async storeXattrs(path: string): Promise<string[]> {
    let names: string[];
    try {
      names = await this.src.xattrNames(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOTSUP' || code === 'EOPNOTSUPP') return [];
      await this.recordError(path, e);
      return [];
    }
    names.sort(compareBytes);
    for (const name of names) {
      const value = await this.src.xattr(path, name);
      const o = await this.chunkify([value], 'file');
      const bytes = serializeXattr({ path, name, size: value.length, type: 0, object: o.mac });
      const mac = this.mac(bytes);
      await this.sink.put(RT.XATTR_ENTRY, mac, bytes);
      await this.add(this.xattrs, `${path}${name}:`, mac);
    }
    return names;
  }

  /** A directory's children as dirpack frames (type, length, entry, entry MAC), stored like a file. */
  private async storeDirpack(path: string, children: Child[]): Promise<void> {
    const w = new ByteWriter();
    for (const c of children) w.u8(c.dir ? 1 : 2).u32(c.bytes.length + 32).bytes(c.bytes).bytes(c.mac);
    const o = await this.chunkify([w.finish()], 'dirpack');
    await this.add(this.dirpacks, path, o.mac);
  }

  /**
   * Cuts content into chunks, stores each chunk once and the object listing them. Files get a
   * content type sniffed from the first chunk and entropies; dirpacks get neither.
   */
  private async chunkify(data: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, kind: 'file' | 'dirpack') {
    const chunker = this.chunkers.pop() ?? new Chunker(this.opts.chunking);
    chunker.reset();
    const content = this.sink.codec.newMac();
    const chunks: ChunkInput[] = [];
    let contentType = kind === 'dirpack' ? 'application/octet-stream' : '';
    let weighted = 0;
    let size = 0;
    const take = async (cs: Uint8Array[]): Promise<void> => {
      for (const c of cs) {
        if (contentType === '') contentType = detectContentType(c);
        const e = kind === 'file' ? entropy(c) : 0;
        const mac = this.mac(c);
        content.update(c);
        await this.sink.put(RT.CHUNK, mac, c);
        chunks.push({ contentMac: mac, length: c.length, entropy: e });
        weighted += e * c.length;
        size += c.length;
      }
    };
    try {
      for await (const piece of data) await take(chunker.push(piece));
      await take(chunker.end());
    } finally {
      this.chunkers.push(chunker);
    }
    const objEntropy = kind === 'file' && size > 0 ? weighted / size : 0;
    const bytes = serializeObject({ contentMac: content.digest(), chunks, contentType, entropy: objEntropy });
    const mac = this.mac(bytes);
    await this.sink.put(RT.OBJECT, mac, bytes);
    return { mac, contentType, entropy: objEntropy, chunks: chunks.length, size };
  }

  private async persist(rootSummary: Summary): Promise<void> {
    const tree = (s: ExternalSorter, rootType: number, nodeType: number): Promise<Uint8Array> =>
      writeBTree(this.sink, rootType, nodeType, s.sorted({ descending: true, unique: true }));
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
