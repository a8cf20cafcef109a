import { BlobSet } from './util/macset.js';
import { ByteReader, bytesEqual, toHex } from './binary.js';
import { PtarError } from './errors.js';
import { IndexTable, parseFooter } from './packfile.js';
import { RT, resourceName } from './resources.js';
import { parseNode, parseRoot } from './snapshot/btree.js';
import { isDir, isRegular } from './snapshot/mode.js';
import type { Snapshot } from './snapshot/snapshot.js';
import { PACKFILE_VERSION, type Repository } from './repository.js';
import { checkVersion, parseWrapperHeader, WRAPPER_HEADER_SIZE, WRAPPER_MAC_SIZE } from './storage/wrapper.js';

export interface CheckProblem {
  where: string;
  error: string;
}

export interface SnapshotCheck {
  id: string;
  ok: boolean;
  entries: number;
  files: number;
  bytes: number;
  problems: CheckProblem[];
}

export interface CheckReport {
  ok: boolean;
  packfiles: { id: string; ok: boolean; blobs: number; problems: CheckProblem[] }[];
  snapshots: SnapshotCheck[];
}

const PACKFILE_READ = 8 << 20;

function describe(e: unknown): string {
  return e instanceof PtarError ? e.message : `unexpected error: ${(e as Error).message}`;
}

/**
 * Verifies a packfile as a whole: its wrapper MAC over every byte, its footer and index (index MAC,
 * record bounds), and that every blob the state places in it is listed there at the same place.
 */
export async function checkPackfile(repo: Repository, id: Uint8Array): Promise<{ blobs: number; problems: CheckProblem[] }> {
  const where = `packfile ${toHex(id).slice(0, 16)}`;
  const problems: CheckProblem[] = [];
  const size = await repo.store.packfileSize(id);
  if (size < WRAPPER_HEADER_SIZE + WRAPPER_MAC_SIZE + 4) return { blobs: 0, problems: [{ where, error: 'truncated packfile' }] };
  const header = parseWrapperHeader(await repo.store.readPackfile(id, 0, WRAPPER_HEADER_SIZE), RT.PACKFILE, where);
  checkVersion(header, PACKFILE_VERSION, where);
  const mac = repo.newMac();
  const macAt = size - WRAPPER_MAC_SIZE;
  for (let off = 0; off < macAt; off += PACKFILE_READ) mac.update(await repo.store.readPackfile(id, off, Math.min(PACKFILE_READ, macAt - off)));
  if (!bytesEqual(mac.digest(), await repo.store.readPackfile(id, macAt, WRAPPER_MAC_SIZE))) problems.push({ where, error: 'packfile MAC mismatch' });

  const bodyLen = macAt - WRAPPER_HEADER_SIZE;
  const body = (off: number, len: number): Promise<Uint8Array> => repo.store.readPackfile(id, WRAPPER_HEADER_SIZE + off, len);
  const footerLen = new ByteReader(await body(bodyLen - 4, 4), 'packfile').u32();
  if (footerLen + 4 > bodyLen) return { blobs: 0, problems: [...problems, { where, error: 'invalid footer length' }] };
  const footer = parseFooter(repo.decode(await body(bodyLen - 4 - footerLen, footerLen), `${where} footer`));
  const indexLen = bodyLen - 4 - footerLen - footer.indexOffset;
  if (indexLen < 0) return { blobs: 0, problems: [...problems, { where, error: 'index offset beyond the footer' }] };
  const rawIndex = repo.decode(await body(footer.indexOffset, indexLen), `${where} index`);
  if (!bytesEqual(repo.computeMac(rawIndex), footer.indexMac)) problems.push({ where, error: 'index MAC mismatch' });
  const index = new IndexTable(rawIndex, footer);
  for (const st of repo.states) {
    const ls = st.locations;
    for (let i = 0; i < ls.length; i++) {
      if (!bytesEqual(ls.packfile(i), id)) continue;
      const r = index.find(ls.type(i), ls.mac(i));
      if (!r || r.offset !== ls.offset(i) || r.length !== ls.blobLength(i)) {
        problems.push({ where, error: `${resourceName(ls.type(i))} ${toHex(ls.mac(i))}: state and packfile index disagree` });
      }
    }
  }
  return { blobs: index.count, problems };
}

/**
 * Verifies a snapshot down to the last byte: header, every node of every tree, every entry (and its
 * dirpack copy), every object and chunk (MAC of each chunk and of the whole content), every xattr,
 * error and summary. Blobs already verified (`seen`) are not fetched twice.
 */
export async function checkSnapshot(snap: Snapshot, seen: BlobSet): Promise<SnapshotCheck> {
  const res: SnapshotCheck = { id: toHex(snap.id), ok: true, entries: 0, files: 0, bytes: 0, problems: [] };
  const repo = snap.repo;
  const problem = (where: string, e: unknown): void => {
    res.ok = false;
    res.problems.push({ where, error: describe(e) });
  };
  const once = (type: number, mac: Uint8Array): boolean => seen.add(type, mac);
  const tree = async (name: string, rootType: number, nodeType: number, rootMac: Uint8Array, valueType: number | null): Promise<void> => {
    try {
      if (!once(rootType, rootMac)) return;
      const stack = [parseRoot(await repo.getBlob(rootType, rootMac), `${name} root`).root];
      while (stack.length > 0) {
        const mac = stack.pop()!;
        if (!once(nodeType, mac)) continue;
        const node = parseNode(await repo.getBlob(nodeType, mac), `${name} node`);
        stack.push(...node.pointers);
        if (valueType !== null) for (const v of node.values) if (once(valueType, v)) await repo.getBlob(valueType, v);
      }
    } catch (e) {
      problem(`${name} tree`, e);
    }
  };
  const src = snap.source;
  await tree('vfs', RT.VFS_BTREE, RT.VFS_NODE, src.vfs.root, null);
  await tree('xattr', RT.XATTR_BTREE, RT.XATTR_NODE, src.vfs.xattrs, RT.XATTR_ENTRY);
  await tree('error', RT.ERROR_BTREE, RT.ERROR_NODE, src.vfs.errors, RT.ERROR_ENTRY);
  for (const ix of src.indexes) {
    const valueType = ix.name === 'summary' ? RT.VFS_SUMMARY : ix.name === 'content-type' ? RT.VFS_ENTRY : null;
    await tree(`${ix.name} index`, RT.BTREE_ROOT, RT.BTREE_NODE, ix.value, valueType);
  }

  const object = async (where: string, mac: Uint8Array): Promise<number> => {
    const obj = await snap.getObject(mac);
    const content = repo.newMac();
    let n = 0;
    for await (const c of snap.readChunks(obj)) {
      content.update(c);
      n += c.length;
    }
    if (!bytesEqual(content.digest(), obj.contentMac)) throw new Error(`${where}: content MAC mismatch`);
    return n;
  };

  try {
    for await (const e of snap.walk(await snap.rootEntry())) {
      res.entries++;
      try {
        if (isDir(e.fileInfo.mode)) await snap.summary(e);
        else if (isRegular(e.fileInfo.mode) && once(RT.OBJECT, e.object)) {
          res.files++;
          res.bytes += await object(e.path, e.object);
        }
        for (const x of await snap.xattrs(e.path)) if (once(RT.OBJECT, x.object)) await object(`${e.path} xattr ${x.name}`, x.object);
      } catch (err) {
        problem(e.path, err);
      }
    }
  } catch (e) {
    problem('vfs', e);
  }
  return res;
}

export async function checkRepository(repo: Repository, snaps: Snapshot[], onProgress?: (s: SnapshotCheck) => void): Promise<CheckReport> {
  const report: CheckReport = { ok: true, packfiles: [], snapshots: [] };
  // The packfiles the states declare: a ptar serves its single packfile under whatever id its state uses.
  const packfiles = new Map(repo.states.flatMap((st) => st.packfiles.map((p) => [toHex(p.packfile), p.packfile] as const)));
  for (const id of packfiles.values()) {
    const where = `packfile ${toHex(id).slice(0, 16)}`;
    let r: { blobs: number; problems: CheckProblem[] };
    try {
      r = await checkPackfile(repo, id);
    } catch (e) {
      r = { blobs: 0, problems: [{ where, error: describe(e) }] };
    }
    report.packfiles.push({ id: toHex(id), ok: r.problems.length === 0, ...r });
  }
  const seen = new BlobSet();
  for (const s of snaps) {
    const r = await checkSnapshot(s, seen);
    report.snapshots.push(r);
    onProgress?.(r);
  }
  report.ok = report.packfiles.every((p) => p.ok) && report.snapshots.every((s) => s.ok);
  return report;
}
