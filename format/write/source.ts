import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { getAttribute, listAttributes } from '@napi-rs/xattr';
import { GoTime } from '../gotime.js';
import type { FileInfo } from '../snapshot/entry.js';
import { goModeFromPosix } from '../snapshot/mode.js';
import { basename } from '../snapshot/paths.js';
import { LocalAccounts } from '../util/accounts.js';

/** A tree to back up, addressed by absolute slash-separated paths; symlinks are never followed. */
export interface TreeSource {
  readonly type: string;
  readonly origin: string;
  /** Metadata of `path`; user and group names are looked up only when `names` is set. */
  lstat(path: string, names: boolean): Promise<FileInfo>;
  readdir(path: string): Promise<string[]>;
  readlink(path: string): Promise<string>;
  read(path: string): AsyncIterable<Uint8Array>;
  xattrNames(path: string): Promise<string[]>;
  xattr(path: string, name: string): Promise<Uint8Array>;
}

/** The local filesystem, read the way Plakar's fs importer reads it. */
export class LocalFs implements TreeSource {
  readonly type = 'fs';
  private readonly accounts = new LocalAccounts();

  constructor(readonly origin: string) {}

  async lstat(path: string, names: boolean): Promise<FileInfo> {
    const st = await lstat(path, { bigint: true });
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
    return readdir(path);
  }

  readlink(path: string): Promise<string> {
    return readlink(path);
  }

  read(path: string): AsyncIterable<Uint8Array> {
    return createReadStream(path, { highWaterMark: 1 << 20 });
  }

  xattrNames(path: string): Promise<string[]> {
    return listAttributes(path);
  }

  async xattr(path: string, name: string): Promise<Uint8Array> {
    return (await getAttribute(path, name)) ?? new Uint8Array(0);
  }
}
