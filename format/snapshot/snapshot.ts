import { ByteReader, bytesEqual, toHex } from '../binary.js';
import { IntegrityError, NotFoundError } from '../errors.js';
import type { Repository } from '../repository.js';
import { RT } from '../resources.js';
import { unpack } from '../codec/msgpack.js';
import { BTree, compareBytes, parseNode, parseRoot, pathCmp, type BTreeNode, type Compare } from './btree.js';
import { parseEntry, parseErrorItem, parseObject, parseXattr, type Entry, type ErrorItem, type ObjectRecord, type XattrEntry } from './entry.js';
import { parseHeader, type Header, type Source } from './header.js';
import { isDir, isSymlink } from './mode.js';
import { cleanPath, isWithin } from './paths.js';
import { parseSummary, type Summary } from './summary.js';

/** Node blobs kept decoded per tree; bounds memory while keeping the hot upper levels warm. */
const NODE_CACHE = 512;
/** Chunks fetched ahead of the consumer while streaming a file. */
const READ_AHEAD = 4;
const MAX_SYMLINK_HOPS = 40;

class LruCache<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(k: string): V | undefined {
    const v = this.map.get(k);
    if (v !== undefined) {
      this.map.delete(k);
      this.map.set(k, v);
    }
    return v;
  }
  set(k: string, v: V): void {
    this.map.set(k, v);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
  }
}

/**
 * A snapshot opened for reading: its header, its VFS (path → entry), and the side trees (xattrs,
 * errors, dirpack and summary indexes). Everything is fetched lazily, blob by blob.
 */
export class Snapshot {
  readonly source: Source;
  private readonly vfs: BTree;
  private readonly xattrTree: BTree;
  private readonly errorTree: BTree;
  private readonly dirpack: BTree | null;
  private readonly summaries: BTree | null;

  private constructor(readonly repo: Repository, readonly id: Uint8Array, readonly header: Header) {
    this.source = header.sources[0]!;
    const tree = (rootMac: Uint8Array, rootType: number, nodeType: number, cmp: Compare): BTree => {
      const cache = new LruCache<BTreeNode>(NODE_CACHE);
      let rootNode: Promise<Uint8Array> | null = null;
      const rootOf = (): Promise<Uint8Array> =>
        (rootNode ??= repo.getBlob(rootType, rootMac).then((b) => parseRoot(b, `btree root ${toHex(rootMac).slice(0, 16)}`).root));
      const load = async (mac: Uint8Array): Promise<BTreeNode> => {
        const k = toHex(mac);
        let n = cache.get(k);
        if (!n) {
          n = parseNode(await repo.getBlob(nodeType, mac), `${nodeType === RT.VFS_NODE ? 'vfs' : 'btree'} node ${k.slice(0, 16)}`);
          cache.set(k, n);
        }
        return n;
      };
      return new BTree(rootOf, load, cmp);
    };
    this.vfs = tree(this.source.vfs.root, RT.VFS_BTREE, RT.VFS_NODE, pathCmp);
    this.xattrTree = tree(this.source.vfs.xattrs, RT.XATTR_BTREE, RT.XATTR_NODE, pathCmp);
    this.errorTree = tree(this.source.vfs.errors, RT.ERROR_BTREE, RT.ERROR_NODE, compareBytes);
    const index = (name: string): BTree | null => {
      const ix = this.source.indexes.find((i) => i.name === name && i.type === 'btree');
      return ix ? tree(ix.value, RT.BTREE_ROOT, RT.BTREE_NODE, compareBytes) : null;
    };
    this.dirpack = index('dirpack');
    this.summaries = index('summary');
  }

  static async load(repo: Repository, id: Uint8Array): Promise<Snapshot> {
    const header = parseHeader(await repo.getBlob(RT.SNAPSHOT, id));
    if (!bytesEqual(header.identifier, id)) throw new IntegrityError(`snapshot ${toHex(id)}: header names another snapshot`);
    return new Snapshot(repo, id, header);
  }

  get shortId(): string {
    return toHex(this.id).slice(0, 8);
  }

  /** The importer's root directory: where relative paths are resolved. */
  get root(): string {
    return this.source.importer.directory;
  }

  async resolveEntry(mac: Uint8Array): Promise<Entry> {
    return parseEntry(await this.repo.getBlob(RT.VFS_ENTRY, mac), mac);
  }

  /** The entry at an exact path, without following symlinks. */
  async lookup(path: string): Promise<Entry | null> {
    const mac = await this.vfs.get(cleanPath('/' + path));
    return mac ? this.resolveEntry(mac) : null;
  }

  /** The entry of "/", which every snapshot has. */
  async rootEntry(): Promise<Entry> {
    const e = await this.lookup('/');
    if (!e) throw new IntegrityError(`snapshot ${this.shortId}: no root entry`);
    return e;
  }

  /**
   * The entry at a path, following symlinks in every component and at the end, as Kloset's
   * GetEntry does (bounded, so symlink loops fail instead of spinning).
   */
  async getEntry(path: string): Promise<Entry> {
    let pending = cleanPath('/' + path).split('/').filter(Boolean);
    let cur = '/';
    let entry = await this.lookup('/');
    for (let hops = 0; pending.length > 0; ) {
      const next = cur === '/' ? `/${pending[0]}` : `${cur}/${pending[0]}`;
      pending = pending.slice(1);
      const e = await this.lookup(next);
      if (!e) throw new NotFoundError(`${path}: no such file or directory`);
      if (isSymlink(e.fileInfo.mode)) {
        if (++hops > MAX_SYMLINK_HOPS) throw new NotFoundError(`${path}: too many levels of symbolic links`);
        const target = e.symlinkTarget.startsWith('/') ? e.symlinkTarget : `${cur}/${e.symlinkTarget}`;
        pending = [...cleanPath(target).split('/').filter(Boolean), ...pending];
        cur = '/';
        entry = await this.lookup('/');
        continue;
      }
      cur = next;
      entry = e;
    }
    if (!entry) throw new NotFoundError(`${path}: no such file or directory`);
    return entry;
  }

  /** Children of a directory in name order: from its dirpack when the snapshot has one, else a VFS scan. */
  async *children(dir: string): AsyncGenerator<Entry> {
    if (this.dirpack) {
      const objectMac = await this.dirpack.get(dir);
      if (!objectMac) throw new IntegrityError(`${dir}: directory missing from the dirpack index`);
      yield* this.dirpackEntries(dir, objectMac);
      return;
    }
    // In VFS order the children of a directory are one contiguous run of keys of their depth.
    const prefix = dir === '/' ? '/' : dir + '/';
    for await (const [key, mac] of this.vfs.scan(prefix)) {
      if (!key.startsWith(prefix) || key.indexOf('/', prefix.length) >= 0) return;
      if (key !== prefix) yield await this.resolveEntry(mac);
    }
  }

  private async *dirpackEntries(dir: string, objectMac: Uint8Array): AsyncGenerator<Entry> {
    const obj = parseObject(await this.repo.getBlob(RT.OBJECT, objectMac));
    const parts: Uint8Array[] = [];
    for await (const c of this.readChunks(obj)) parts.push(c);
    const r = new ByteReader(Buffer.concat(parts), `dirpack of ${dir}`);
    while (r.remaining > 0) {
      r.u8(); // frame type: directory or file, redundant with the entry's mode
      const len = r.u32();
      if (len < 32) throw new IntegrityError(`dirpack of ${dir}: frame too short`);
      const bytes = r.bytes(len - 32);
      const mac = r.bytes(32);
      if (!bytesEqual(this.repo.computeMac(bytes), mac)) throw new IntegrityError(`dirpack of ${dir}: entry MAC mismatch`);
      const e = parseEntry(bytes, mac);
      if (e.parentPath !== dir) throw new IntegrityError(`dirpack of ${dir}: entry ${e.path} does not belong to it`);
      yield e;
    }
  }

  /** Pre-order walk below (and including) `path`, children in name order; symlinks are not followed. */
  async *walk(start: Entry): AsyncGenerator<Entry> {
    yield start;
    if (!isDir(start.fileInfo.mode)) return;
    for await (const child of this.children(start.path)) yield* this.walk(child);
  }

  async getObject(mac: Uint8Array): Promise<ObjectRecord> {
    return parseObject(await this.repo.getBlob(RT.OBJECT, mac));
  }

  /** Streams an object's chunks, verified, with a few fetched ahead. */
  async *readChunks(obj: ObjectRecord): AsyncGenerator<Uint8Array> {
    const inflight: Promise<Uint8Array>[] = [];
    let next = 0;
    const fetch = (i: number): Promise<Uint8Array> => {
      const c = obj.chunks[i]!;
      const p = this.repo.getBlob(RT.CHUNK, c.contentMac).then((data) => {
        if (data.length !== c.length) throw new IntegrityError(`chunk ${toHex(c.contentMac)}: ${data.length} bytes, object says ${c.length}`);
        return data;
      });
      // Fetches ahead of a failure (or of a consumer that stops early) are never awaited.
      p.catch(() => {});
      return p;
    };
    while (next < obj.chunks.length && inflight.length < READ_AHEAD) inflight.push(fetch(next++));
    while (inflight.length > 0) {
      const data = await inflight.shift()!;
      if (next < obj.chunks.length) inflight.push(fetch(next++));
      yield data;
    }
  }

  /** A regular file's content, chunk by chunk. */
  async *readFile(entry: Entry): AsyncGenerator<Uint8Array> {
    yield* this.readChunks(await this.getObject(entry.object));
  }

  /** Extended attributes recorded for `path` (read from the entries, not the keys: see the spec). */
  async xattrs(path: string): Promise<XattrEntry[]> {
    const out: XattrEntry[] = [];
    for await (const [key, mac] of this.xattrTree.scan(path)) {
      if (!key.startsWith(path)) break;
      const x = parseXattr(await this.repo.getBlob(RT.XATTR_ENTRY, mac));
      if (x.path === path) out.push(x);
    }
    return out;
  }

  async xattrValue(x: XattrEntry): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    for await (const c of this.readChunks(await this.getObject(x.object))) parts.push(c);
    return Buffer.concat(parts);
  }

  /** Error records at or below `beneath`. */
  async *errors(beneath = '/'): AsyncGenerator<ErrorItem> {
    for await (const [key, mac] of this.errorTree.scan(beneath)) {
      if (!key.startsWith(beneath)) break;
      if (isWithin(key, beneath)) yield parseErrorItem(await this.repo.getBlob(RT.ERROR_ENTRY, mac));
    }
  }

  /** A directory's summary: embedded in old snapshots, in the summary index since plakar v1.1. */
  async summary(dir: Entry): Promise<Summary | null> {
    if (dir.summary) return dir.summary;
    if (!this.summaries) return null;
    const mac = await this.summaries.get(dir.path);
    return mac ? parseSummary(unpack(await this.repo.getBlob(RT.VFS_SUMMARY, mac), 'vfs summary'), 'vfs summary') : null;
  }
}
