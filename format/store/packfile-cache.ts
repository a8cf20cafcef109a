import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toHex } from '../binary.js';
import { IntegrityError } from '../errors.js';
import type { Store } from './store.js';

/**
 * A remote store read in bulk (sync, check, restore of whole snapshots): each packfile is fetched
 * once, whole, into a temporary directory and blobs are read from there, instead of one ranged
 * request per blob. Plakar's sync keeps packfiles aside the same way. At most `keep` packfiles are
 * on disk at a time (least recently used go first); the directory goes away on close().
 */
export class PackfileCache implements Store {
  private readonly files = new Map<string, Promise<string>>();

  private constructor(
    private readonly inner: Store,
    private readonly dir: string,
    private readonly keep: number,
  ) {}

  static async wrap(inner: Store, keep = 8): Promise<PackfileCache> {
    return new PackfileCache(inner, await mkdtemp(join(tmpdir(), 'ptar-kit-packfiles-')), keep);
  }

  get location(): string {
    return this.inner.location;
  }

  getConfig(): Promise<Uint8Array> {
    return this.inner.getConfig();
  }

  listStates(): Promise<Uint8Array[]> {
    return this.inner.listStates();
  }

  getState(id: Uint8Array): Promise<Uint8Array> {
    return this.inner.getState(id);
  }

  listPackfiles(): Promise<Uint8Array[]> {
    return this.inner.listPackfiles();
  }

  packfileSize(id: Uint8Array): Promise<number> {
    return this.inner.packfileSize(id);
  }

  size(): Promise<number> {
    return this.inner.size();
  }

  private fetch(id: Uint8Array): Promise<string> {
    const key = toHex(id);
    let file = this.files.get(key);
    if (file) {
      // most recently used last
      this.files.delete(key);
      this.files.set(key, file);
      return file;
    }
    file = (async () => {
      const size = await this.inner.packfileSize(id);
      const path = join(this.dir, key);
      await writeFile(path, await this.inner.readPackfile(id, 0, size));
      return path;
    })();
    this.files.set(key, file);
    file.catch(() => this.files.delete(key));
    while (this.files.size > this.keep) {
      const [oldest, p] = this.files.entries().next().value as [string, Promise<string>];
      this.files.delete(oldest);
      void p.then((f) => rm(f, { force: true })).catch(() => {});
    }
    return file;
  }

  async readPackfile(id: Uint8Array, offset: number, length: number): Promise<Uint8Array> {
    let fh;
    try {
      fh = await open(await this.fetch(id), 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      // evicted between fetch and open by reads of other packfiles: fetch it again
      this.files.delete(toHex(id));
      fh = await open(await this.fetch(id), 'r');
    }
    try {
      const buf = new Uint8Array(length);
      const { bytesRead } = await fh.read(buf, 0, length, offset);
      if (bytesRead !== length) throw new IntegrityError(`packfile ${toHex(id).slice(0, 16)}: range [${offset}, +${length}) is past its end`);
      return buf;
    } finally {
      await fh.close();
    }
  }

  async close(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
    await this.inner.close();
  }
}
