import { readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { IntegrityError, NotFoundError, PtarError } from '../errors.js';

/** Random read access to an archive: a local file or an HTTP resource read with Range requests. */
export interface ByteSource {
  readonly name: string;
  readonly size: number;
  /** Exactly `length` bytes at `offset`; a range outside the source is an IntegrityError. */
  read(offset: number, length: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

export function checkRange(src: { size: number; name: string }, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > src.size) {
    throw new IntegrityError(`${src.name}: read of ${length} bytes at offset ${offset} is outside the archive (${src.size} bytes)`);
  }
}

export class FileSource implements ByteSource {
  private constructor(readonly name: string, readonly size: number, private readonly fh: FileHandle) {}

  static async open(path: string): Promise<FileSource> {
    let fh: FileHandle;
    try {
      fh = await open(path, 'r');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new NotFoundError(`${path}: no such file`);
      throw new PtarError(`${path}: ${(e as Error).message}`);
    }
    const st = await fh.stat();
    if (!st.isFile()) {
      await fh.close();
      throw new PtarError(`${path}: not a regular file`);
    }
    return new FileSource(path, st.size, fh);
  }

  // Positioned reads are synchronous: a blob read from a local (usually cached) file takes
  // microseconds, less than a round trip through the thread pool.
  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this, offset, length);
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const n = readSync(this.fh.fd, out, done, length - done, offset + done);
      if (n === 0) throw new IntegrityError(`${this.name}: unexpected end of file at offset ${offset + done}`);
      done += n;
    }
    return out;
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}

/**
 * An archive served over HTTP(S). The size comes from a `Range: bytes=0-0` probe's Content-Range,
 * and every read insists on a 206 reply of exactly the requested length: a server that ignores
 * Range would otherwise make us download the whole archive for every blob.
 */
export class HttpSource implements ByteSource {
  private constructor(readonly name: string, readonly size: number, private readonly url: string) {}

  static async open(url: string): Promise<HttpSource> {
    const res = await HttpSource.get(url, 'bytes=0-0');
    await res.body?.cancel();
    if (res.status === 404) throw new NotFoundError(`${url}: not found (HTTP 404)`);
    if (res.status !== 206) throw new PtarError(`${url}: server does not support range requests (HTTP ${res.status})`);
    const m = /^bytes 0-0\/(\d+)$/.exec(res.headers.get('content-range') ?? '');
    if (!m) throw new PtarError(`${url}: missing or invalid Content-Range in reply`);
    return new HttpSource(url, Number(m[1]), url);
  }

  private static async get(url: string, range: string): Promise<Response> {
    try {
      return await fetch(url, { headers: { Range: range } });
    } catch (e) {
      const cause = (e as { cause?: Error }).cause;
      throw new PtarError(`${url}: ${cause?.message ?? (e as Error).message}`);
    }
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this, offset, length);
    if (length === 0) return new Uint8Array(0);
    const res = await HttpSource.get(this.url, `bytes=${offset}-${offset + length - 1}`);
    if (res.status !== 206) {
      await res.body?.cancel();
      throw new PtarError(`${this.url}: expected a partial reply (206) for a range request, got HTTP ${res.status}`);
    }
    const body = new Uint8Array(await res.arrayBuffer());
    if (body.length !== length) throw new IntegrityError(`${this.url}: range reply has ${body.length} bytes, expected ${length}`);
    return body;
  }

  async close(): Promise<void> {}
}

/** Opens a location: a path, or an http(s):// / ptar+http(s):// URL. */
export async function openSource(location: string): Promise<ByteSource> {
  const m = /^(?:ptar\+)?(https?:\/\/.*)$/.exec(location);
  if (m) return HttpSource.open(m[1]!);
  const path = location.startsWith('ptar://') ? location.slice('ptar://'.length) : location;
  return FileSource.open(path);
}
