// A deliberately small, independent reader of PLAINTEXT ptar archives, written from spec/ptar.md
// alone (it does not use the ptar-kit library). It is what spec/vectors/extract.mjs uses to cut
// byte vectors out of the real archives, and it doubles as a worked example of the spec:
// container (§3), wrapper (§4), LZ4 decoding (§8), packfile (§9), state (§10), B-trees (§13).
//
// Only Node's standard library, `lz4-napi` (LZ4 frames) and `@msgpack/msgpack` are used.
import { readFileSync } from 'node:fs';
import { decompressFrameSync } from 'lz4-napi';
import { decode } from '@msgpack/msgpack';

export const hex = (b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
const u32 = (b, o) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).readUInt32LE(o);
const u64 = (b, o) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).readBigUInt64LE(o);
const i64 = (b, o) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).readBigInt64LE(o);

export const RT = {
  config: 1, lock: 2, state: 3, packfile: 4, snapshot: 5, signature: 6, object: 7, chunk: 9,
  'vfs-btree': 10, 'vfs-node': 11, 'vfs-entry': 12, 'error-btree': 13, 'error-node': 14, 'error-entry': 15,
  'xattr-btree': 16, 'xattr-node': 17, 'xattr-entry': 18, 'btree-root': 19, 'btree-node': 20, 'vfs-summary': 21,
  random: 255,
};

/** §4: a wrapped resource: 16-byte header, body, 32-byte MAC over header‖body. */
export function unwrap(bytes) {
  return {
    magic: Buffer.from(bytes.subarray(0, 8)).toString('latin1'),
    type: u32(bytes, 8),
    version: u32(bytes, 12),
    body: bytes.subarray(16, bytes.length - 32),
    mac: bytes.subarray(bytes.length - 32),
  };
}

/** §10: a decoded state stream; `hasParent` iff the wrapper version is 1.1.0. */
export function parseStateStream(s, hasParent) {
  let p = 0;
  const out = { parent: null, entries: [], metadata: null };
  if (hasParent) {
    out.parent = s.subarray(0, 32);
    p = 32;
  }
  for (;;) {
    const type = s[p];
    if (type === 1) {
      out.metadata = { at: p, version: u32(s, p + 1), timestamp: u64(s, p + 5), serial: s.subarray(p + 13, p + 29) };
      if (p + 29 !== s.length) throw new Error('state: bytes after the metadata');
      return out;
    }
    const length = u32(s, p + 1);
    const payload = s.subarray(p + 5, p + 5 + length);
    const e = { at: p, type, length, payload };
    if (type === 2) {
      Object.assign(e, { blobType: payload[0], version: u32(payload, 1), mac: payload.subarray(5, 37), packfile: payload.subarray(37, 69), offset: Number(u64(payload, 69)), size: u32(payload, 77), flags: u32(payload, 81) });
    } else if (type === 4) {
      Object.assign(e, { packfile: payload.subarray(0, 32), stateId: payload.subarray(32, 64), timestamp: u64(payload, 64) });
    }
    out.entries.push(e);
    p += 5 + length;
  }
}

/** §3 + §9 + §10: everything of a plaintext, LZ4-compressed (or uncompressed) ptar. */
export function openPlainPtar(path) {
  const buf = new Uint8Array(readFileSync(path));
  const t = buf.subarray(buf.length - 48);
  const trailer = {
    configOffset: Number(i64(t, 0)), configLength: Number(i64(t, 8)),
    packfileOffset: Number(i64(t, 16)), packfileLength: Number(i64(t, 24)),
    stateOffset: Number(i64(t, 32)), stateLength: Number(i64(t, 40)),
  };
  const section = (o, l) => buf.subarray(o, o + l);
  const config = unwrap(section(trailer.configOffset, trailer.configLength));
  const configMap = decode(config.body);
  const compressed = configMap.Compression !== null;
  // Encrypted archives: only the container, the wrapper headers and the configuration are read.
  if (configMap.Encryption !== null) return { path, buf, trailer, section, config, configMap, encrypted: true };
  const decodeObject = (b) => (compressed ? new Uint8Array(decompressFrameSync(Buffer.from(b))) : b);

  const packfile = unwrap(section(trailer.packfileOffset, trailer.packfileLength));
  const pb = packfile.body;
  const footerLength = u32(pb, pb.length - 4);
  const footerEncoded = pb.subarray(pb.length - 4 - footerLength, pb.length - 4);
  const footerRaw = decodeObject(footerEncoded);
  const footer = { timestamp: i64(footerRaw, 0), count: u32(footerRaw, 8), indexOffset: Number(u64(footerRaw, 12)), indexMac: footerRaw.subarray(20, 52), flags: u32(footerRaw, 52) };
  const indexEncoded = pb.subarray(footer.indexOffset, pb.length - 4 - footerLength);
  const indexRaw = decodeObject(indexEncoded);

  const stateW = unwrap(section(trailer.stateOffset, trailer.stateLength));
  const stateStream = decodeObject(stateW.body);
  const state = parseStateStream(stateStream, stateW.version === 0x00010100);
  const where = new Map();
  for (const e of state.entries) if (e.type === 2) where.set(`${e.blobType}:${hex(e.mac)}`, e);

  const encodedBlob = (type, macHex) => {
    const l = where.get(`${type}:${macHex}`);
    if (!l) throw new Error(`blob ${type}:${macHex} not in the state`);
    return pb.subarray(l.offset, l.offset + l.size);
  };
  const blob = (type, macHex) => decodeObject(encodedBlob(type, macHex));
  const macsOf = (type) => state.entries.filter((e) => e.type === 2 && e.blobType === type).map((e) => hex(e.mac));

  /** §13: every (key, value MAC) of a tree in leaf order, following `next`. */
  const treeLeaves = (rootMacHex, rootType, nodeType) => {
    const root = decode(blob(rootType, rootMacHex));
    let node = decode(blob(nodeType, hex(root.Root)));
    while (node.pointers && node.pointers.length > 0) node = decode(blob(nodeType, hex(node.pointers[0])));
    const out = [];
    for (;;) {
      (node.keys ?? []).forEach((k, i) => out.push([k, hex(node.values[i])]));
      if (!node.next) return out;
      node = decode(blob(nodeType, hex(node.next)));
    }
  };
  const readObject = (macHex) => {
    const o = decode(blob(RT.object, macHex));
    return Buffer.concat((o.chunks ?? []).map((c) => blob(RT.chunk, hex(c.contentMAC))));
  };

  return {
    encrypted: false, path, buf, trailer, section, config, configMap, packfile, footerLength, footerEncoded, footerRaw, footer,
    indexEncoded, indexRaw, stateWrapped: stateW, stateStream, state, encodedBlob, blob, macsOf, treeLeaves, readObject,
    snapshots: () => macsOf(RT.snapshot).map((id) => ({ id, header: decode(blob(RT.snapshot, id)) })),
  };
}
