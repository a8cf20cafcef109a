import { join } from 'node:path';
import { setImmediate } from 'node:timers/promises';
import { PtarError } from '../format/errors.js';
import type { Entry } from '../format/snapshot/entry.js';
import { isDir, isRegular, isSymlink, posixPerm } from '../format/snapshot/mode.js';
import { basename, isWithin } from '../format/snapshot/paths.js';
import type { Snapshot } from '../format/snapshot/snapshot.js';
import { makeDirs } from '../format/util/mkdirs.js';
import { TreeWriter, type Meta } from './tree-writer.js';

export interface RestoreStats {
  directories: number;
  files: number;
  symlinks: number;
  hardlinks: number;
  skipped: number;
  bytes: number;
}

/** The restore under way, whose temporary files an interrupt removes. */
let current: TreeWriter | null = null;
let signalsHooked = false;
function hookSignals(): void {
  if (signalsHooked) return;
  signalsHooked = true;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      void (current?.abort() ?? Promise.resolve()).finally(() => process.exit(130));
    });
  }
}

let turn = 0;
/**
 * Reads are synchronous: this lets the event loop run every 50 ms, or Ctrl-C (whose handler
 * removes the files being written) would wait for the end of the restore.
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
 * archive can never redirect a write. Files are written under a temporary name and renamed; all
 * writes happen on a TreeWriter thread, in the order of the walk, while this one decodes.
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

  const w = new TreeWriter(asRoot);
  current = w;
  try {
    for await (const e of snap.walk(start)) {
      await breathe();
      const dest = destOf(e);
      const parent = dest === target ? null : join(dest, '..');
      if (parent !== null && !made.has(parent)) throw new PtarError(`${e.path}: parent directory was not restored, refusing to write through it`);
      onEntry?.(e);
      const fi = e.fileInfo;
      if (isDir(fi.mode)) {
        if (dest !== target) await w.op({ k: 'dir', dest, path: e.path });
        made.add(dest);
        dirs.push({ dest, e });
        stats.directories++;
      } else if (isSymlink(fi.mode)) {
        await w.op({ k: 'symlink', dest, target: e.symlinkTarget, uid: fi.uid, gid: fi.gid, mtime: { sec: fi.modTime.sec, nsec: fi.modTime.nsec } });
        stats.symlinks++;
      } else if (isRegular(fi.mode)) {
        const key = fi.nlink > 1 ? `${fi.dev}:${fi.ino}` : '';
        const first = key ? inodes.get(key) : undefined;
        if (first) {
          await w.op({ k: 'link', dest, first });
          stats.hardlinks++;
          continue;
        }
        stats.bytes += await writeFile(w, snap, e, dest);
        if (key) inodes.set(key, dest);
        stats.files++;
      } else {
        stats.skipped++; // devices, pipes and sockets are not restored, as with plakar
      }
    }
    // Directory metadata last and deepest first, so restoring children does not disturb it.
    for (const { dest, e } of dirs.reverse()) await w.op({ k: 'dirmeta', dest, meta: await metaOf(snap, e) });
    await w.finish();
  } finally {
    current = null;
    await w.close();
  }
  return stats;
}

async function metaOf(snap: Snapshot, e: Entry): Promise<Meta> {
  const fi = e.fileInfo;
  const xattrs: Meta['xattrs'] = [];
  if (e.extendedAttributes.length > 0) for (const x of await snap.xattrs(e.path)) xattrs.push([x.name, await snap.xattrValue(x)]);
  return { path: e.path, mode: posixPerm(fi.mode), uid: fi.uid, gid: fi.gid, mtime: { sec: fi.modTime.sec, nsec: fi.modTime.nsec }, xattrs };
}

/** Temporary names: unique within the process, and O_EXCL refuses anything already there. */
let tmpSeq = 0;

async function writeFile(w: TreeWriter, snap: Snapshot, e: Entry, dest: string): Promise<number> {
  const tmp = join(dest, '..', `.ptar-kit-${process.pid}-${tmpSeq++}`);
  await w.create(tmp);
  let n = 0;
  for await (const chunk of snap.readFile(e)) {
    await w.append(chunk);
    n += chunk.length;
    await breathe();
  }
  await w.commit(tmp, dest, await metaOf(snap, e));
  return n;
}
