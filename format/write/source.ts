import { createReadStream, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { GoTime } from '../gotime.js';
import type { FileInfo } from '../snapshot/entry.js';
import { goModeFromPosix } from '../snapshot/mode.js';
import { basename } from '../snapshot/paths.js';
import { LocalAccounts } from '../util/accounts.js';
import { xattr } from '../util/native-packages.js';

/** Files up to this size are read with one call (most files of a tree are small). */
const SMALL_FILE = 1 << 20;

/** Go-style error text: "open /path: permission denied". */
export function errorText(e: unknown, path: string): string {
  const err = e as NodeJS.ErrnoException;
  const reason = err.code ? err.message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '').toLowerCase() : err.message;
  return err.syscall ? `${err.syscall} ${path}: ${reason}` : `${path}: ${reason}`;
}

/** A tree to back up, addressed by absolute slash-separated paths; symlinks are never followed. */
export interface TreeSource {
  readonly type: string;
  readonly origin: string;
  /** Metadata of `path`; user and group names are looked up only when `names` is set. */
  lstat(path: string, names: boolean): Promise<FileInfo>;
  readdir(path: string): Promise<string[]>;
  readlink(path: string): Promise<string>;
  /** Content of a regular file; `size` (from lstat) lets small files be read in one go. */
  read(path: string, size: number): AsyncIterable<Uint8Array>;
  xattrNames(path: string): Promise<string[]>;
  xattr(path: string, name: string): Promise<Uint8Array>;
}

/** The local filesystem, read the way Plakar's fs importer reads it. */
export class LocalFs implements TreeSource {
  readonly type = 'fs';
  private readonly accounts = new LocalAccounts();

  constructor(readonly origin: string) {}

  // Metadata calls and small reads are synchronous: on a warm cache each takes microseconds,
  // less than the round trip through the thread pool that the async versions cost.
  async lstat(path: string, names: boolean): Promise<FileInfo> {
    const st = lstatSync(path, { bigint: true });
    const uid = Number(st.uid);
    const gid = Number(st.gid);
    return {
      name: basename(path),
      size: Number(st.size),
      mode: goModeFromPosix(Number(st.mode)),
      modTime: GoTime.fromUnixNano(st.mtimeNs),
      dev: st.dev,
      ino: st.ino,
      uid,
      gid,
      nlink: Number(st.nlink),
      username: names ? this.accounts.userOrEmpty(uid) : '',
      groupname: names ? this.accounts.groupOrEmpty(gid) : '',
      flags: 0,
    };
  }

  async readdir(path: string): Promise<string[]> {
    return readdirSync(path);
  }

  async readlink(path: string): Promise<string> {
    return readlinkSync(path);
  }

  async *read(path: string, size: number): AsyncIterable<Uint8Array> {
    if (size <= SMALL_FILE) yield readFileSync(path);
    else yield* createReadStream(path, { highWaterMark: 4 << 20 });
  }

  async xattrNames(path: string): Promise<string[]> {
    return xattr().listAttributesSync(path);
  }

  async xattr(path: string, name: string): Promise<Uint8Array> {
    return xattr().getAttributeSync(path, name) ?? new Uint8Array(0);
  }
}
