import { closeSync, openSync, readSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toHex } from '../binary.js';
import { IntegrityError } from '../errors.js';
import type { Store } from './store.js';

/**
 * A remote store read in bulk (sync, check, restore of whole snapshots): each packfile is fetched
 * once, whole, into a temporary directory and blobs are read from there, instead of one ranged
 * request per blob. Plakar's sync keeps packfiles aside the same way. At most `keep` packfiles are
 * kept (least recently used go first), as open descriptors of unlinked files: nothing outlives
 * the process.
 */
export class PackfileCache implements Store {
  /** Open descriptors of fetched packfiles, least recently used first. */
  private readonly ready = new Map<string, number>();
  private readonly fetching = new Map<string, Promise<void>>();

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

  /** Fetches a packfile into the directory once; its descriptor lands in `ready`. */
  private fetch(id: Uint8Array): Promise<void> {
    const key = toHex(id);
    let pending = this.fetching.get(key);
    if (!pending) {
      pending = (async () => {
        const path = join(this.dir, key);
        await writeFile(path, await this.inner.readPackfile(id, 0, await this.inner.packfileSize(id)));
        // An open descriptor keeps the bytes readable: the name can go at once.
        const fd = openSync(path, 'r');
        await rm(path, { force: true });
        this.ready.set(key, fd);
        while (this.ready.size > this.keep) {
          const [oldest, ofd] = this.ready.entries().next().value as [string, number];
          this.ready.delete(oldest);
          closeSync(ofd);
        }
      })().finally(() => this.fetching.delete(key));
      this.fetching.set(key, pending);
    }
    return pending;
  }

  async readPackfile(id: Uint8Array, offset: number, length: number): Promise<Uint8Array> {
    const key = toHex(id);
    // Look the descriptor up and read in one synchronous step: an eviction in between would
    // close it (and its number could be reused); evicted meanwhile means fetch again.
    for (;;) {
      const fd = this.ready.get(key);
      if (fd === undefined) {
        await this.fetch(id);
        continue;
      }
      this.ready.delete(key);
      this.ready.set(key, fd);
      const buf = new Uint8Array(length);
      const n = length === 0 ? 0 : readSync(fd, buf, 0, length, offset);
      if (n !== length) throw new IntegrityError(`packfile ${key.slice(0, 16)}: range [${offset}, +${length}) is past its end`);
      return buf;
    }
  }

  async close(): Promise<void> {
    for (const fd of this.ready.values()) closeSync(fd);
    this.ready.clear();
    await rm(this.dir, { recursive: true, force: true });
    await this.inner.close();
  }
}
