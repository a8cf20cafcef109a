import { resolve } from 'node:path';
import { NotFoundError } from '../../format/errors.js';
import { locate } from '../../format/snapshot/locate.js';
import type { Snapshot } from '../../format/snapshot/snapshot.js';
import { printJson } from '../output.js';
import { restore } from '../restore.js';

function defaultTarget(): string {
  const d = new Date();
  const p = (n: number): string => String(n).padStart(2, '0');
  return resolve(`plakar-${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`);
}

/** `restore [-to DIR] [SNAP[:PATH]]`: without a snapshot, the latest one from its root. */
export async function restoreCmd(snaps: Snapshot[], arg: string | undefined, to: string | undefined, json: boolean): Promise<void> {
  let snap: Snapshot;
  let path: string;
  if (arg === undefined) {
    snap = snaps[snaps.length - 1]!;
    if (!snap) throw new NotFoundError('no snapshot to restore');
    path = snap.root;
  } else ({ snap, path } = locate(snaps, arg));
  const start = await snap.getEntry(path).catch(() => {
    throw new NotFoundError(`${arg ?? path}: no such file or directory`);
  });
  const target = resolve(to ?? defaultTarget());
  const stats = await restore(snap, start, target);
  if (json) await printJson({ snapshot: snap.shortId, path: start.path, target, ...stats });
  else {
    process.stderr.write(
      `restore: restored ${stats.files} files (${stats.bytes} bytes), ${stats.directories} directories, ${stats.symlinks} symlinks, ${stats.hardlinks} hard links from ${snap.shortId}:${start.path} to ${target}\n`,
    );
  }
}
