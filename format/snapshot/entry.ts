import { asArray, asFloat, asInt, asMac, asMap, asString, asStringArray, asTime, asUint64 } from '../codec/fields.js';
import { unpack } from '../codec/msgpack.js';
import { IntegrityError } from '../errors.js';
import type { GoTime } from '../gotime.js';
import { parseSummary, type Summary } from './summary.js';

export interface FileInfo {
  name: string;
  size: number;
  mode: number;
  modTime: GoTime;
  dev: bigint;
  ino: bigint;
  uid: number;
  gid: number;
  nlink: number;
  username: string;
  groupname: string;
  flags: number;
}

/** A VFS entry (RT_VFS_ENTRY). */
export interface Entry {
  parentPath: string;
  fileInfo: FileInfo;
  /** Embedded directory summary (snapshots from plakar v1.0.x); null in v1.1 snapshots. */
  summary: Summary | null;
  symlinkTarget: string;
  object: Uint8Array;
  contentType: string;
  entropy: number;
  chunks: number;
  extendedAttributes: string[];
  /** MAC of the serialized entry: its blob identifier. */
  mac: Uint8Array;
  /** Absolute path: parent path joined with the name. */
  path: string;
}

export function parseFileInfo(v: unknown, what: string): FileInfo {
  const m = asMap(v, what);
  return {
    name: asString(m.name, `${what}.name`),
    size: asInt(m.size, `${what}.size`),
    mode: asInt(m.mode, `${what}.mode`) >>> 0,
    modTime: asTime(m.mod_time, `${what}.mod_time`),
    dev: asUint64(m.dev, `${what}.dev`),
    ino: asUint64(m.ino, `${what}.ino`),
    uid: asInt(m.uid, `${what}.uid`),
    gid: asInt(m.gid, `${what}.gid`),
    nlink: asInt(m.nlink, `${what}.nlink`),
    username: asString(m.username, `${what}.username`),
    groupname: asString(m.groupname, `${what}.groupname`),
    flags: asInt(m.flags, `${what}.flags`),
  };
}

export function joinPath(parent: string, name: string): string {
  if (name === '/') return '/';
  return parent === '/' || parent === '' ? `/${name}` : `${parent}/${name}`;
}

/**
 * Decodes an entry and validates what later code relies on: a usable name and an absolute, clean
 * parent path, so that a hostile archive cannot smuggle `..` or separators into paths.
 */
export function parseEntry(bytes: Uint8Array, mac: Uint8Array): Entry {
  const what = 'vfs entry';
  const m = asMap(unpack(bytes, what), what);
  const fileInfo = parseFileInfo(m.file_info, `${what}.file_info`);
  const parentPath = asString(m.parent_path, `${what}.parent_path`);
  const name = fileInfo.name;
  if (name === '/') {
    if (parentPath !== '/' && parentPath !== '') throw new IntegrityError(`${what}: root entry with parent ${JSON.stringify(parentPath)}`);
  } else {
    if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) {
      throw new IntegrityError(`${what}: invalid name ${JSON.stringify(name)}`);
    }
    if (!isCleanAbsolute(parentPath)) throw new IntegrityError(`${what}: invalid parent path ${JSON.stringify(parentPath)}`);
  }
  return {
    parentPath,
    fileInfo,
    summary: m.summary === null || m.summary === undefined ? null : parseSummary(m.summary, `${what}.summary`),
    symlinkTarget: asString(m.symlink_target, `${what}.symlink_target`),
    object: asMac(m.object, `${what}.object`),
    contentType: asString(m.content_type, `${what}.content_type`),
    entropy: asFloat(m.entropy, `${what}.entropy`),
    chunks: asInt(m.chunks, `${what}.chunks`),
    extendedAttributes: asStringArray(m.extended_attributes, `${what}.extended_attributes`),
    mac,
    path: joinPath(parentPath, name),
  };
}

export function isCleanAbsolute(p: string): boolean {
  if (p === '/') return true;
  if (!p.startsWith('/') || p.endsWith('/') || p.includes('\0')) return false;
  return p.slice(1).split('/').every((c) => c !== '' && c !== '.' && c !== '..');
}

/** An xattr record (RT_XATTR_ENTRY); its value is stored as an object. */
export interface XattrEntry {
  path: string;
  name: string;
  size: number;
  type: number;
  object: Uint8Array;
}

export function parseXattr(bytes: Uint8Array): XattrEntry {
  const m = asMap(unpack(bytes, 'xattr entry'), 'xattr entry');
  return {
    path: asString(m.path, 'xattr.path'),
    name: asString(m.name, 'xattr.name'),
    size: asInt(m.size, 'xattr.size'),
    type: asInt(m.type, 'xattr.type'),
    object: asMac(m.object, 'xattr.object'),
  };
}

/** An error record (RT_ERROR_ENTRY): a path the importer could not archive, and why. */
export interface ErrorItem {
  name: string;
  error: string;
}

export function parseErrorItem(bytes: Uint8Array): ErrorItem {
  const m = asMap(unpack(bytes, 'error entry'), 'error entry');
  return { name: asString(m.name, 'error.name'), error: asString(m.error, 'error.error') };
}

export interface Chunk {
  contentMac: Uint8Array;
  length: number;
  entropy: number;
}

/** An object (RT_OBJECT): the ordered chunks of a file's content. */
export interface ObjectRecord {
  contentMac: Uint8Array;
  chunks: Chunk[];
  contentType: string;
  entropy: number;
  size: number;
}

export function parseObject(bytes: Uint8Array): ObjectRecord {
  const m = asMap(unpack(bytes, 'object'), 'object');
  let size = 0;
  const chunks = asArray(m.chunks, 'object.chunks').map((c, i) => {
    const cm = asMap(c, `object.chunks[${i}]`);
    const length = asInt(cm.length, `object.chunks[${i}].length`);
    size += length;
    return { contentMac: asMac(cm.contentMAC, `object.chunks[${i}].contentMAC`), length, entropy: asFloat(cm.entropy, 'chunk.entropy') };
  });
  return {
    contentMac: asMac(m.contentMAC, 'object.contentMAC'),
    chunks,
    contentType: asString(m.content_type, 'object.content_type'),
    entropy: asFloat(m.entropy, 'object.entropy'),
    size,
  };
}
