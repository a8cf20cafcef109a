import { toHex } from '../binary.js';
import { NotFoundError, UsageError } from '../errors.js';
import type { Snapshot } from './snapshot.js';
import { cleanPath } from './paths.js';

/** Splits `SNAP[:PATH]` as plakar does: an argument starting with "/" is a path with no prefix. */
export function splitSnapshotPath(arg: string): { prefix: string; path: string } {
  if (arg.startsWith('/')) return { prefix: '', path: arg };
  const i = arg.indexOf(':');
  return i < 0 ? { prefix: arg, path: '' } : { prefix: arg.slice(0, i), path: arg.slice(i + 1) };
}

/** The one snapshot whose hex id starts with `prefix` (an empty prefix works when there is only one). */
export function findByPrefix(snaps: Snapshot[], prefix: string): Snapshot {
  if (!/^[0-9a-f]*$/.test(prefix)) throw new UsageError(`invalid snapshot id prefix: ${prefix}`);
  const matches = snaps.filter((s) => toHex(s.id).startsWith(prefix));
  if (matches.length === 0) throw new NotFoundError(`no snapshot has prefix: ${prefix}`);
  if (matches.length > 1) throw new UsageError(`snapshot ID is ambiguous: ${prefix} (matches ${matches.length} snapshots)`);
  return matches[0]!;
}

/** A path inside a snapshot: absolute as given, relative to the importer's directory otherwise. */
export function resolveSnapshotPath(snap: Snapshot, path: string): string {
  return cleanPath(path.startsWith('/') ? path : `${snap.root}/${path}`);
}

export function locate(snaps: Snapshot[], arg: string): { snap: Snapshot; path: string } {
  const { prefix, path } = splitSnapshotPath(arg);
  const snap = findByPrefix(snaps, prefix);
  return { snap, path: resolveSnapshotPath(snap, path) };
}
