import {
  chmodSync, chownSync, closeSync, lchownSync, linkSync, lstatSync, lutimesSync, mkdirSync, openSync, renameSync, rmSync, symlinkSync, utimesSync, writeSync,
} from 'node:fs';
import { setImmediate } from 'node:timers/promises';
import { join } from 'node:path';
import { IntegrityError, PtarError } from '../format/errors.js';
import type { Entry } from '../format/snapshot/entry.js';
import { isDir, isRegular, isSymlink, posixPerm } from '../format/snapshot/mode.js';
import { basename, isWithin } from '../format/snapshot/paths.js';
import type { Snapshot } from '../format/snapshot/snapshot.js';
import { makeDirs } from '../format/util/mkdirs.js';
import { xattr } from '../format/util/native-packages.js';

export interface RestoreStats {
  directories: number;
  files: number;
  symlinks: number;
  hardlinks: number;
  skipped: number;
  bytes: number;
}

/** Temporary files being written, removed if the process is interrupted. */
const live = new Set<string>();
let signalsHooked = false;
function hookSignals(): void {
  if (signalsHooked) return;
  signalsHooked = true;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      for (const f of live) rmSync(f, { force: true });
      process.exit(130);
    });
  }
}

let turn = 0;
/**
 * Reads and writes are synchronous: this lets the event loop run every 50 ms, or Ctrl-C (whose
 * handler removes the file being written) would wait for the end of the restore.
 */
async function breathe(): Promise<void> {
  if (performance.now() - turn < 50) return;
  await setImmediate();
  turn = performance.now();
}

/**
 * Restores the entry at `start` (its contents if a directory, the file itself otherwise) into
 * `target`. Every entry's destination is computed from its snapshot path relative to `start`, must
 * stay under `target`, and its parent must be a directory this restore created: a symlink from the
 * archive can never redirect a write. Files are written under a temporary name and renamed.
 */
export async function restore(snap: Snapshot, start: Entry, target: string, onEntry?: (e: Entry) => void): Promise<RestoreStats> {
  hookSignals();
  const stats: RestoreStats = { directories: 0, files: 0, symlinks: 0, hardlinks: 0, skipped: 0, bytes: 0 };
  const asRoot = process.getuid?.() === 0;
  await makeDirs(target, 0o700);
  const made = new Set<string>([target]);
  const dirs: { dest: string; e: Entry }[] = [];
  const inodes = new Map<string, string>();
  const base = isDir(start.fileInfo.mode) ? start.path : start.path.slice(0, start.path.length - basename(start.path).length - 1) || '/';

  const destOf = (e: Entry): string => {
    if (!isWithin(e.path, base)) throw new PtarError(`${e.path}: outside the restored tree`);
    const rel = base === '/' ? e.path.slice(1) : e.path.slice(base.length + 1);
    return rel === '' ? target : join(target, ...rel.split('/'));
  };

  for await (const e of snap.walk(start)) {
    await breathe();
    const dest = destOf(e);
    const parent = dest === target ? null : join(dest, '..');
    if (parent !== null && !made.has(parent)) throw new PtarError(`${e.path}: parent directory was not restored, refusing to write through it`);
    onEntry?.(e);
    const fi = e.fileInfo;
    // Metadata calls are synchronous: each takes microseconds, less than a round trip through the
    // thread pool, and a tree has tens of thousands of them.
    if (isDir(fi.mode)) {
      if (dest !== target) {
        try {
          mkdirSync(dest, { mode: 0o700 });
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
          // The archive already put something else under this name: it lists the path twice.
          if (!lstatSync(dest).isDirectory()) throw new IntegrityError(`${e.path}: listed twice in the snapshot, refusing to restore it`);
        }
      }
      made.add(dest);
      dirs.push({ dest, e });
      stats.directories++;
    } else if (isSymlink(fi.mode)) {
      replacing(dest, () => symlinkSync(e.symlinkTarget, dest));
      if (asRoot) lchownSync(dest, fi.uid, fi.gid);
      lutimesSync(dest, fi.modTime.seconds, fi.modTime.seconds);
      stats.symlinks++;
    } else if (isRegular(fi.mode)) {
      const key = fi.nlink > 1 ? `${fi.dev}:${fi.ino}` : '';
      const first = key ? inodes.get(key) : undefined;
      if (first) {
        replacing(dest, () => linkSync(first, dest));
        stats.hardlinks++;
        continue;
      }
      stats.bytes += await writeFile(snap, e, dest, asRoot);
      if (key) inodes.set(key, dest);
      stats.files++;
    } else {
      stats.skipped++; // devices, pipes and sockets are not restored, as with plakar
    }
  }
  // Directory metadata last and deepest first, so restoring children does not disturb it.
  for (const { dest, e } of dirs.reverse()) {
    const fi = e.fileInfo;
    await setXattrs(snap, e, dest);
    if (asRoot) chownSync(dest, fi.uid, fi.gid);
    chmodSync(dest, posixPerm(fi.mode));
    utimesSync(dest, fi.modTime.seconds, fi.modTime.seconds);
  }
  return stats;
}

/** Makes `dest` with `make`, first removing what a restore into a non-empty directory finds there. */
function replacing(dest: string, make: () => void): void {
  try {
    make();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    rmSync(dest, { force: true });
    make();
  }
}

async function setXattrs(snap: Snapshot, e: Entry, path: string): Promise<void> {
  if (e.extendedAttributes.length === 0) return;
  for (const x of await snap.xattrs(e.path)) {
    try {
      await xattr().setAttribute(path, x.name, Buffer.from(await snap.xattrValue(x)));
    } catch (err) {
      throw new PtarError(`${e.path}: cannot set xattr ${x.name}: ${(err as Error).message}`);
    }
  }
}

/** Temporary names: unique within the process, and O_EXCL refuses anything already there. */
let tmpSeq = 0;

async function writeFile(snap: Snapshot, e: Entry, dest: string, asRoot: boolean): Promise<number> {
  const tmp = join(dest, '..', `.ptar-kit-${process.pid}-${tmpSeq++}`);
  live.add(tmp);
  try {
    // Chunks are written as they are decoded, synchronously: to the page cache, that is a copy.
    const fd = openSync(tmp, 'wx', 0o600);
    let n = 0;
    try {
      for await (const chunk of snap.readFile(e)) {
        for (let at = 0; at < chunk.length; ) at += writeSync(fd, chunk, at);
        n += chunk.length;
        await breathe();
      }
    } finally {
      closeSync(fd);
    }
    const fi = e.fileInfo;
    await setXattrs(snap, e, tmp);
    if (asRoot) chownSync(tmp, fi.uid, fi.gid);
    chmodSync(tmp, posixPerm(fi.mode));
    utimesSync(tmp, fi.modTime.seconds, fi.modTime.seconds);
    renameSync(tmp, dest);
    live.delete(tmp);
    return n;
  } finally {
    if (live.delete(tmp)) rmSync(tmp, { force: true });
  }
}
