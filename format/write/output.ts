import { randomBytes } from 'node:crypto';
import { open, link, rename, unlink, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { PtarError } from '../errors.js';

/** A sequential byte sink: an archive is written front to back, never rewritten. */
export interface Output {
  readonly offset: number;
  write(b: Uint8Array): Promise<void>;
  /** Makes the archive visible (or flushes the stream); nothing before this counts. */
  commit(): Promise<void>;
  /** Removes whatever was written; safe to call at any point, several times. */
  abort(): Promise<void>;
}

const BUFFER = 4 << 20;
/**
 * Data written since the last background flush that starts another: the commit's fsync then
 * waits for the last stretch only, not for the whole archive (~0.2 s for 365 MB here), while the
 * rest reached the disk as the archive was being built.
 */
const SYNC_EVERY = 64 << 20;

/** Temporary files not yet committed or removed: what an interrupted process must delete. */
export const pendingFiles = new Set<string>();

/**
 * Writes `path` through a temporary file beside it, renamed into place on commit, so the archive
 * appears under its final name only when complete. Without `overwrite`, an existing file is
 * refused at the start and again at commit (link(2) refuses to replace).
 */
export class AtomicFile implements Output {
  offset = 0;
  private buf = Buffer.allocUnsafe(BUFFER);
  private used = 0;
  private done = false;
  private unsynced = 0;
  private syncing: Promise<void> | null = null;
  private syncError: unknown = null;

  private constructor(readonly path: string, readonly tmp: string, private readonly fh: FileHandle, private readonly overwrite: boolean) {}

  static async create(path: string, overwrite: boolean): Promise<AtomicFile> {
    if (!overwrite && (await exists(path))) throw new PtarError(`${path}: file exists (use -overwrite to replace it)`);
    const tmp = join(dirname(path), `.${basename(path)}.tmp-${randomBytes(6).toString('hex')}`);
    pendingFiles.add(tmp);
    let fh: FileHandle;
    try {
      fh = await open(tmp, 'wx', 0o644);
    } catch (e) {
      pendingFiles.delete(tmp);
      throw new PtarError(`${path}: cannot create: ${(e as Error).message.replace(/^\w+: /, '')}`);
    }
    return new AtomicFile(path, tmp, fh, overwrite);
  }

  async write(b: Uint8Array): Promise<void> {
    this.offset += b.length;
    if (this.used + b.length > this.buf.length) await this.flush();
    if (b.length >= this.buf.length) {
      await this.fh.write(b);
      return;
    }
    this.buf.set(b, this.used);
    this.used += b.length;
  }

  private async flush(): Promise<void> {
    let at = 0;
    while (at < this.used) at += (await this.fh.write(this.buf, at, this.used - at)).bytesWritten;
    this.unsynced += this.used;
    this.used = 0;
    if (this.unsynced >= SYNC_EVERY && this.syncing === null) {
      this.unsynced = 0;
      this.syncing = this.fh.datasync().then(
        () => void (this.syncing = null),
        (e: unknown) => void ((this.syncError ??= e), (this.syncing = null)),
      );
    }
  }

  async commit(): Promise<void> {
    await this.flush();
    await this.syncing;
    if (this.syncError !== null) throw this.syncError;
    await this.fh.sync();
    await this.fh.close();
    this.done = true;
    pendingFiles.delete(this.tmp);
    if (this.overwrite) await rename(this.tmp, this.path);
    else {
      try {
        await link(this.tmp, this.path);
      } catch (e) {
        await unlink(this.tmp);
        throw new PtarError(`${this.path}: ${(e as NodeJS.ErrnoException).code === 'EEXIST' ? 'file exists' : (e as Error).message}`);
      }
      await unlink(this.tmp);
    }
  }

  async abort(): Promise<void> {
    if (!this.done) {
      this.done = true;
      await this.syncing;
      await this.fh.close().catch(() => {});
    }
    await unlink(this.tmp).catch(() => {});
    pendingFiles.delete(this.tmp);
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

/** Standard output, for `-o -`: the archive streams out as it is produced. */
export class StreamOutput implements Output {
  offset = 0;
  private buf = Buffer.allocUnsafe(BUFFER);
  private used = 0;

  constructor(private readonly stream: NodeJS.WritableStream) {}

  async write(b: Uint8Array): Promise<void> {
    this.offset += b.length;
    if (this.used + b.length > this.buf.length) await this.flush();
    if (b.length >= this.buf.length) {
      await this.push(Buffer.from(b));
      return;
    }
    this.buf.set(b, this.used);
    this.used += b.length;
  }

  private push(b: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (e: Error): void => reject(e);
      this.stream.once('error', onError);
      const ok = this.stream.write(b, (err) => {
        this.stream.removeListener('error', onError);
        if (err) reject(err);
        else if (ok) resolve();
      });
      if (!ok) this.stream.once('drain', () => resolve());
    });
  }

  private async flush(): Promise<void> {
    if (this.used === 0) return;
    const b = Buffer.from(this.buf.subarray(0, this.used));
    this.used = 0;
    await this.push(b);
  }

  async commit(): Promise<void> {
    await this.flush();
  }

  async abort(): Promise<void> {}
}
