import { toHex } from '../../format/binary.js';
import { NotFoundError } from '../../format/errors.js';
import { locate } from '../../format/snapshot/locate.js';
import { isDir, isSymlink, modeString } from '../../format/snapshot/mode.js';
import type { Snapshot } from '../../format/snapshot/snapshot.js';
import type { Entry } from '../../format/snapshot/entry.js';
import { LocalAccounts } from '../../format/util/accounts.js';
import { goDurationSeconds, ibytes, sanitize } from '../humanize.js';
import { out, printJson } from '../output.js';

function totalSize(s: Snapshot): number {
  return (s.source.summary.directory.size ?? 0) + (s.source.summary.below.size ?? 0);
}

export function snapshotJson(s: Snapshot): Record<string, unknown> {
  const h = s.header;
  return {
    id: toHex(s.id),
    short_id: s.shortId,
    timestamp: h.timestamp.toRFC3339Nano(),
    duration_ns: Number(h.duration),
    size: totalSize(s),
    name: h.name,
    tags: h.tags,
    importer: s.source.importer,
  };
}

/** `ls` without argument: snapshots newest first, in plakar's columns. */
export async function lsSnapshots(snaps: Snapshot[], opts: { json: boolean; uuid: boolean }): Promise<void> {
  const sorted = [...snaps].reverse();
  if (opts.json) return printJson(sorted.map(snapshotJson));
  for (const s of sorted) {
    const id = opts.uuid ? toHex(s.id) : s.shortId.padStart(10);
    await out(
      `${s.header.timestamp.toRFC3339()} ${id}${ibytes(totalSize(s)).padStart(10)}${goDurationSeconds(s.header.duration).padStart(10)} ${sanitize(s.root)}\n`,
    );
  }
}

export function entryJson(e: Entry): Record<string, unknown> {
  const fi = e.fileInfo;
  return {
    path: e.path,
    name: fi.name,
    mode: modeString(fi.mode),
    size: fi.size,
    mtime: fi.modTime.toRFC3339Nano(),
    uid: fi.uid,
    gid: fi.gid,
    ...(isSymlink(fi.mode) ? { symlink_target: e.symlinkTarget } : {}),
  };
}

/** `ls SNAP[:PATH]`: the entries below a path (one level, or all with -recursive). */
export async function lsPath(snaps: Snapshot[], arg: string, opts: { json: boolean; recursive: boolean }): Promise<void> {
  const { snap, path } = locate(snaps, arg);
  const start = await snap.getEntry(path).catch(() => {
    throw new NotFoundError(`${arg}: no such file or directory`);
  });
  const accounts = new LocalAccounts();
  const rows: Record<string, unknown>[] = [];
  const emit = async (e: Entry): Promise<void> => {
    if (opts.json) {
      rows.push(entryJson(e));
      return;
    }
    const fi = e.fileInfo;
    const name = opts.recursive ? e.path : fi.name;
    const link = isSymlink(fi.mode) ? ` -> ${sanitize(e.symlinkTarget)}` : '';
    await out(
      `${fi.modTime.toRFC3339()} ${modeString(fi.mode)} ${accounts.user(fi.uid).padStart(8)} ${accounts.group(fi.gid).padStart(8)} ${ibytes(fi.size).padStart(8)} ${sanitize(name)}${link}\n`,
    );
  };
  if (!isDir(start.fileInfo.mode)) await emit(start);
  else if (opts.recursive) {
    for await (const e of snap.walk(start)) if (e !== start) await emit(e);
  } else {
    for await (const e of snap.children(start.path)) await emit(e);
  }
  if (opts.json) await printJson(rows);
}
