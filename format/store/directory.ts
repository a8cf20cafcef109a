import { randomBytes } from 'node:crypto';
import { closeSync, openSync, promises as fs, readSync } from 'node:fs';
import { join } from 'node:path';
import { IntegrityError, NotFoundError, PtarError } from '../errors.js';
import { makeDirs } from '../util/mkdirs.js';
import { AtomicFile, type Output } from '../write/output.js';
import { bucketPath, parseResourceName, type WritableStore } from './store.js';

/** Packfile descriptors kept open for reads. */
const OPEN_PACKFILES = 16;

/**
 * A store in a directory, in plakar's layout: `CONFIG`, `packfiles/XX/<hex>`, `states/XX/<hex>`
 * and `locks/<hex>`. Every resource is written to a temporary file beside its bucket and renamed
 * into place, so readers (and a crash) never see half of one.
 */
export class DirectoryStore implements WritableStore {
  readonly writable = true;
  private readonly fds = new Map<string, number>();

  constructor(
    readonly location: string,
    readonly root: string,
  ) {}

  async getConfig(): Promise<Uint8Array> {
    try {
      return await fs.readFile(join(this.root, 'CONFIG'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(`no store at ${this.location}`);
      throw e;
    }
  }

  async create(config: Uint8Array): Promise<void> {
    const entries = await fs.readdir(this.root).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return null;
      throw e;
    });
    if (entries && entries.length > 0) throw new PtarError(`cannot create a store at ${this.location}: the directory is not empty`);
    await makeDirs(this.root, 0o700);
    for (const kind of ['packfiles', 'states']) {
      for (let i = 0; i < 256; i++) await fs.mkdir(join(this.root, kind, i.toString(16).padStart(2, '0')), { recursive: true, mode: 0o700 });
    }
    await fs.mkdir(join(this.root, 'locks'), { mode: 0o700 });
    await this.atomicWrite(this.root, 'CONFIG', config);
  }

  private async atomicWrite(tmpDir: string, rel: string, data: Uint8Array): Promise<void> {
    const tmp = join(tmpDir, `tmp.${randomBytes(8).toString('hex')}`);
    try {
      const fh = await fs.open(tmp, 'wx', 0o600);
      try {
        await fh.writeFile(data);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await fs.rename(tmp, join(this.root, rel));
    } catch (e) {
      await fs.rm(tmp, { force: true });
      throw e;
    }
  }

  private async read(rel: string, what: string): Promise<Uint8Array> {
    try {
      return await fs.readFile(join(this.root, rel));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(`${what} not found in ${this.location}`);
      throw e;
    }
  }

  private async remove(rel: string): Promise<void> {
    await fs.rm(join(this.root, rel), { force: true });
  }

  /** Ids under `packfiles/` or `states/`: bucket directories, then 64-hex-digit regular files. */
  private async listBuckets(kind: 'packfiles' | 'states'): Promise<Uint8Array[]> {
    const out: Uint8Array[] = [];
    const dir = join(this.root, kind);
    for (const bucket of await fs.readdir(dir, { withFileTypes: true })) {
      if (!bucket.isDirectory()) continue;
      for (const f of await fs.readdir(join(dir, bucket.name), { withFileTypes: true })) {
        const id = f.isFile() ? parseResourceName(f.name) : null;
        if (id) out.push(id);
      }
    }
    return out;
  }

  listStates(): Promise<Uint8Array[]> {
    return this.listBuckets('states');
  }

  getState(id: Uint8Array): Promise<Uint8Array> {
    return this.read(bucketPath('states', id), 'state');
  }

  putState(id: Uint8Array, data: Uint8Array): Promise<void> {
    return this.atomicWrite(join(this.root, 'states'), bucketPath('states', id), data);
  }

  stateOutput(id: Uint8Array): Promise<Output> {
    return AtomicFile.create(join(this.root, bucketPath('states', id)), true);
  }

  deleteState(id: Uint8Array): Promise<void> {
    return this.remove(bucketPath('states', id));
  }

  listPackfiles(): Promise<Uint8Array[]> {
    return this.listBuckets('packfiles');
  }

  async packfileSize(id: Uint8Array): Promise<number> {
    try {
      return (await fs.stat(join(this.root, bucketPath('packfiles', id)))).size;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(`packfile not found in ${this.location}`);
      throw e;
    }
  }

  /**
   * Blobs are read one range at a time, often many from one packfile: descriptors stay open (the
   * most recently used few) and reads are synchronous, which on a warm cache costs microseconds
   * where an open, a read and a close through the thread pool cost far more.
   */
  async readPackfile(id: Uint8Array, offset: number, length: number): Promise<Uint8Array> {
    const fd = this.descriptor(id);
    const buf = new Uint8Array(length);
    let got = 0;
    while (got < length) {
      const n = readSync(fd, buf, got, length - got, offset + got);
      if (n === 0) break;
      got += n;
    }
    if (got !== length) throw new IntegrityError(`packfile ${Buffer.from(id).toString('hex').slice(0, 16)}: range [${offset}, +${length}) is past its end`);
    return buf;
  }

  private descriptor(id: Uint8Array): number {
    const key = Buffer.from(id).toString('hex');
    let fd = this.fds.get(key);
    if (fd !== undefined) {
      this.fds.delete(key);
      this.fds.set(key, fd);
      return fd;
    }
    try {
      fd = openSync(join(this.root, bucketPath('packfiles', id)), 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(`packfile ${key} not found in ${this.location}`);
      throw e;
    }
    this.fds.set(key, fd);
    if (this.fds.size > OPEN_PACKFILES) {
      const [oldest, ofd] = this.fds.entries().next().value as [string, number];
      this.fds.delete(oldest);
      closeSync(ofd);
    }
    return fd;
  }

  putPackfile(id: Uint8Array, data: Uint8Array): Promise<void> {
    return this.atomicWrite(join(this.root, 'packfiles'), bucketPath('packfiles', id), data);
  }

  /** Written beside its final name and renamed into place on commit. */
  packfileOutput(id: Uint8Array): Promise<Output> {
    return AtomicFile.create(join(this.root, bucketPath('packfiles', id)), true);
  }

  deletePackfile(id: Uint8Array): Promise<void> {
    return this.remove(bucketPath('packfiles', id));
  }

  async listLocks(): Promise<Uint8Array[]> {
    const out: Uint8Array[] = [];
    for (const f of await fs.readdir(join(this.root, 'locks'), { withFileTypes: true })) {
      const id = f.isFile() ? parseResourceName(f.name) : null;
      if (id) out.push(id);
    }
    return out;
  }

  getLock(id: Uint8Array): Promise<Uint8Array> {
    return this.read(lockPath(id), 'lock');
  }

  putLock(id: Uint8Array, data: Uint8Array): Promise<void> {
    return this.atomicWrite(this.root, lockPath(id), data);
  }

  deleteLock(id: Uint8Array): Promise<void> {
    return this.remove(lockPath(id));
  }

  async size(): Promise<number> {
    let total = 0;
    const walk = async (dir: string): Promise<void> => {
      for (const e of await fs.readdir(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) await walk(p);
        else if (e.isFile()) total += (await fs.stat(p)).size;
      }
    };
    await walk(this.root);
    return total;
  }

  async close(): Promise<void> {
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
  }
}

function lockPath(id: Uint8Array): string {
  return `locks/${Buffer.from(id).toString('hex')}`;
}
