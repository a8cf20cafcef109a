import { createReadStream, lstatSync, type BigIntStats, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { getSystemErrorMap } from 'node:util';
import { GoTime } from '../gotime.js';
import type { FileInfo } from '../snapshot/entry.js';
import { goModeFromPosix } from '../snapshot/mode.js';
import { basename } from '../snapshot/paths.js';
import { native } from '../native/native.js';
import { LocalAccounts } from '../util/accounts.js';
import { xattr } from '../util/native-packages.js';

/** Files up to this size are read with one call (most files of a tree are small). */
const SMALL_FILE = 1 << 20;

/** The error node's fs functions throw for errno `err` of `syscall` on `path`. */
export function systemError(err: number, syscall: string, path: string): NodeJS.ErrnoException {
  const [code, text] = getSystemErrorMap().get(-err) ?? [`E${err}`, `error ${err}`];
  return Object.assign(new Error(`${code}: ${text}, ${syscall} '${path}'`), { errno: -err, code, syscall, path });
}

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
    const nat = native();
    if (nat === null) return this.info(path, names, lstatSync(path, { bigint: true }));
    const err = nat.lstat(path, this.numbers, this.ids);
    if (err !== 0) throw systemError(err, 'lstat', path);
    const [mode, nlink, uid, gid, size, sec, nsec] = this.numbers;
    return this.record(path, names, mode!, nlink!, uid!, gid!, size!, new GoTime(sec!, nsec!), this.ids[0]!, this.ids[1]!);
  }

  private readonly numbers = new Float64Array(7);
  private readonly ids = new BigUint64Array(2);

  private info(path: string, names: boolean, st: BigIntStats): FileInfo {
    const time = GoTime.fromUnixNano(st.mtimeNs);
    return this.record(path, names, Number(st.mode), Number(st.nlink), Number(st.uid), Number(st.gid), Number(st.size), time, st.dev, st.ino);
  }

  private record(path: string, names: boolean, mode: number, nlink: number, uid: number, gid: number, size: number, modTime: GoTime, dev: bigint, ino: bigint): FileInfo {
    return {
      name: basename(path),
      size,
      mode: goModeFromPosix(mode),
      modTime,
      dev,
      ino,
      uid,
      gid,
      nlink,
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
