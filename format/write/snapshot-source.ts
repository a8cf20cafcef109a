import { NotFoundError } from '../errors.js';
import type { Entry, FileInfo } from '../snapshot/entry.js';
import type { Snapshot } from '../snapshot/snapshot.js';
import type { TreeSource } from './source.js';

/**
 * An existing snapshot replayed as a tree to back up: how `ptar -k` and `sync` copy snapshots
 * between repositories (content is re-chunked and re-keyed for the destination).
 */
export class SnapshotSource implements TreeSource {
  readonly type: string;
  readonly origin: string;
  /** Entries of the directory listed last, so the walk's lstat after readdir costs nothing. */
  private listed = new Map<string, Entry>();

  constructor(private readonly snap: Snapshot) {
    this.type = snap.source.importer.type;
    this.origin = snap.source.importer.origin;
  }

  private async entry(path: string): Promise<Entry> {
    const e = this.listed.get(path) ?? (await this.snap.lookup(path));
    if (!e) throw Object.assign(new NotFoundError(`${path}: no such file or directory`), { code: 'ENOENT', syscall: 'lstat' });
    return e;
  }

  async lstat(path: string): Promise<FileInfo> {
    return (await this.entry(path)).fileInfo;
  }

  async readdir(path: string): Promise<string[]> {
    this.listed = new Map();
    for await (const e of this.snap.children(path)) this.listed.set(e.path, e);
    return [...this.listed.values()].map((e) => e.fileInfo.name);
  }

  async readlink(path: string): Promise<string> {
    return (await this.entry(path)).symlinkTarget;
  }

  async *read(path: string, _size: number): AsyncIterable<Uint8Array> {
    yield* this.snap.readFile(await this.entry(path));
  }

  async xattrNames(path: string): Promise<string[]> {
    return (await this.snap.xattrs(path)).map((x) => x.name);
  }

  async xattr(path: string, name: string): Promise<Uint8Array> {
    const x = (await this.snap.xattrs(path)).find((a) => a.name === name);
    if (!x) throw new NotFoundError(`${path}: no xattr ${name}`);
    return this.snap.xattrValue(x);
  }
}
