import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { toHex } from './binary.js';
import type { Repository } from './repository.js';
import { compareBytes } from './snapshot/btree.js';
import type { Entry } from './snapshot/entry.js';
import { isRegular, isSymlink, modeString, modeType, posixPerm } from './snapshot/mode.js';
import { Snapshot } from './snapshot/snapshot.js';
import { BELOW_FIELDS, DIRECTORY_FIELDS, type Summary } from './snapshot/summary.js';

/*
 * The `kloset-ptar-manifest/1` report: every snapshot and every entry of a repository, with content
 * hashes and MACs, in the exact shape of the manifests that the real Kloset produced for the test
 * fixtures, so the two can be compared field by field.
 */

const ZERO_MAC = new Uint8Array(32);

export const MANIFEST_TOOL = 'ptar-kit (TypeScript reader)';

type Json = null | boolean | number | bigint | string | Json[] | { [k: string]: Json };

function summaryJson(s: Summary): Json {
  const pick = (c: Record<string, number>, fields: readonly string[]): Json => Object.fromEntries(fields.map((f) => [f, c[f] ?? 0]));
  return { directory: pick(s.directory, DIRECTORY_FIELDS), below: pick(s.below, BELOW_FIELDS) };
}

async function entryJson(snap: Snapshot, e: Entry): Promise<Json> {
  const fi = e.fileInfo;
  const out: Record<string, Json> = {
    path: e.path,
    type: modeType(fi.mode),
    mode: posixPerm(fi.mode).toString(8).padStart(4, '0'),
    mode_go: fi.mode,
    mode_str: modeString(fi.mode),
    size: fi.size,
    mtime: fi.modTime.toRFC3339Nano(),
    mtime_unix_nano: fi.modTime.unixNano,
    uid: fi.uid,
    gid: fi.gid,
  };
  if (fi.username) out.username = fi.username;
  if (fi.groupname) out.groupname = fi.groupname;
  out.nlink = fi.nlink;
  if (isSymlink(fi.mode)) out.symlink_target = e.symlinkTarget;
  let contentType = e.contentType;
  let chunks = e.chunks;
  const hasObject = !e.object.every((b, i) => b === ZERO_MAC[i]);
  if (isRegular(fi.mode) && hasObject) {
    const obj = await snap.getObject(e.object);
    const h = createHash('sha256');
    let n = 0;
    for await (const c of snap.readChunks(obj)) {
      h.update(c);
      n += c.length;
    }
    out.sha256 = h.digest('hex');
    out.read_size = n;
    contentType ||= obj.contentType;
    chunks ||= obj.chunks.length;
  }
  if (contentType) out.content_type = contentType;
  if (chunks) out.chunks = chunks;
  if (hasObject) out.object_mac = toHex(e.object);
  out.entry_mac = toHex(e.mac);
  const xattrs = await snap.xattrs(e.path);
  xattrs.sort((a, b) => compareBytes(a.name, b.name));
  out.xattrs = await Promise.all(
    xattrs.map(async (x) => {
      const value = await snap.xattrValue(x);
      const j: Record<string, Json> = { name: x.name, size: x.size };
      const text = utf8(value);
      if (text !== null) j.value = text;
      j.value_base64 = Buffer.from(value).toString('base64');
      return j;
    }),
  );
  return out;
}

function utf8(b: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    return null;
  }
}

async function snapshotJson(snap: Snapshot): Promise<Json> {
  const h = snap.header;
  const src = snap.source;
  const errors: Json[] = [];
  for await (const e of snap.errors()) errors.push({ name: e.name, error: e.error });
  const entries: Entry[] = [];
  for await (const e of snap.walk(await snap.rootEntry())) entries.push(e);
  entries.sort((a, b) => compareBytes(a.path, b.path));
  const entriesJson: Json[] = [];
  for (const e of entries) entriesJson.push(await entryJson(snap, e));
  const context = Object.fromEntries([...h.context].sort((a, b) => compareBytes(a.key, b.key)).map((kv) => [kv.key, kv.value]));
  return {
    id: toHex(snap.id),
    timestamp: h.timestamp.toRFC3339Nano(),
    duration_ns: Number(h.duration),
    name: h.name,
    category: h.category,
    environment: h.environment,
    perimeter: h.perimeter,
    job: h.job,
    replicas: h.replicas,
    tags: h.tags,
    context,
    sources: [
      {
        importer: { ...src.importer },
        summary: summaryJson(src.summary),
        vfs: { root: toHex(src.vfs.root), xattrs: toHex(src.vfs.xattrs), errors: toHex(src.vfs.errors) },
        errors,
      },
    ],
    entry_count: entries.length,
    entries: entriesJson,
  };
}

/** Every snapshot of the repository, oldest first. */
export async function loadSnapshots(repo: Repository): Promise<Snapshot[]> {
  const snaps = await Promise.all(repo.index.snapshots().map((id) => Snapshot.load(repo, id)));
  return snaps.sort((a, b) => Number(a.header.timestamp.unixNano - b.header.timestamp.unixNano) || compareBytes(toHex(a.id), toHex(b.id)));
}

export async function buildManifest(repo: Repository, archive: string): Promise<Json> {
  const snapshots: Json[] = [];
  for (const s of await loadSnapshots(repo)) snapshots.push(await snapshotJson(s));
  return { format: 'kloset-ptar-manifest/1', tool: MANIFEST_TOOL, archive: basename(archive), encrypted: repo.encrypted, snapshots };
}

/**
 * JSON as Go's json.MarshalIndent(v, "", "  ") writes it: HTML-safe escapes, and 64-bit integers
 * (bigint) printed exactly rather than rounded to a double.
 */
export function goJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `\u0000int:${x}` : x), 2)
    .replace(/"\\u0000int:(-?\d+)"/g, '$1')
    .replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'))
    .replace(/\\(["\\/bfnrtu])/g, (m, c: string) => (c === 'b' ? '\\u0008' : c === 'f' ? '\\u000c' : m));
}
