#!/usr/bin/env node
// Cuts the byte vectors of spec/vectors/ out of the real archives and writes them as annotated
// hex (see annotate.mjs for the format). Every vector is regenerated from the fixtures by the
// test suite (test/spec.test.ts) and compared with the committed file, so the files cannot drift
// from the archives.
//
//   node spec/vectors/extract.mjs [FIXTURES_DIR]          rewrite the vector files
//   node spec/vectors/extract.mjs --check [FIXTURES_DIR]  exit 1 if a file is out of date
//
// FIXTURES_DIR defaults to ../shared/fixtures/ptar-real beside the repository.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decode } from '@msgpack/msgpack';
import { Annotated, annotateFields, annotateLz4Frame, annotateMsgpack, annotateState, matches, parseHex } from './annotate.mjs';
import { hex, openPlainPtar, RT } from './ptar-lite.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_FIXTURES = resolve(HERE, '..', '..', '..', 'shared', 'fixtures', 'ptar-real');

const V11_PLAIN = ['tiny-plain', 'chunky-plain', 'multi-plain', 'multi-dirs-plain'];
const V11_ENC = ['tiny-enc', 'many-enc'];
const V10 = ['v10-tiny-plain', 'v10-tiny-enc'];
const ALL = [...V11_PLAIN, ...V11_ENC, ...V10];

const TRAILER_FIELDS = [
  [8, 'configOffset', 'i64'], [8, 'configLength', 'i64'],
  [8, 'packfileOffset', 'i64'], [8, 'packfileLength', 'i64'],
  [8, 'stateOffset', 'i64'], [8, 'stateLength', 'i64'],
];
const WRAPPER_HEADER = [[8, 'magic', 'ascii'], [4, 'resource type', 'u32'], [4, 'version', 'version']];
const FOOTER_FIELDS = [[8, 'Timestamp', 'i64'], [4, 'Count', 'u32'], [8, 'IndexOffset', 'u64'], [32, 'IndexMAC', 'bytes'], [4, 'Flags', 'u32']];
const INDEX_RECORD = [[4, 'Type', 'u32'], [4, 'Version', 'version'], [32, 'MAC', 'bytes'], [8, 'Offset', 'u64'], [4, 'Length', 'u32'], [4, 'Flags', 'u32']];

const CONFIG_WILD = new Set(['Timestamp', 'RepositoryID', 'Salt', 'Canary']);

/** A wrapped resource: header fields, msgpack body, MAC. */
function wrappedConfig(a, b, wild) {
  annotateFields(a, b.subarray(0, 16), WRAPPER_HEADER);
  a.note('body: msgpack map (never compressed, never encrypted)');
  annotateMsgpack(a, b.subarray(16, b.length - 32), { indent: 2, wildKeys: wild ? CONFIG_WILD : new Set() });
  a.bytes(b.subarray(b.length - 32), 'MAC over header and body (BLAKE3-256; keyed by the master key when encrypted)', 0, wild);
  return a;
}

// Small caches: each archive is opened once per run.
const cache = new Map();
function open(dir, name) {
  const key = join(dir, name);
  if (!cache.has(key)) cache.set(key, openPlainPtar(join(dir, `${name}.ptar`)));
  return cache.get(key);
}

/** path → entry MAC (hex) of the first snapshot's VFS. */
function vfsMap(a) {
  const [s] = a.snapshots();
  return new Map(a.treeLeaves(hex(s.header.sources[0].root.root), RT['vfs-btree'], RT['vfs-node']));
}
function indexMap(a, name) {
  const [s] = a.snapshots();
  const ix = s.header.sources[0].indexes.find((i) => i.name === name);
  return new Map(a.treeLeaves(hex(ix.value), RT['btree-root'], RT['btree-node']));
}
function entryBytes(a, path) {
  return a.blob(RT['vfs-entry'], vfsMap(a).get(path));
}
function emptyTree(a) {
  const [s] = a.snapshots();
  const root = a.blob(RT['error-btree'], hex(s.header.sources[0].root.errors));
  return { root, leaf: a.blob(RT['error-node'], hex(decode(root).Root)) };
}

const T = '/data/fixtures/tiny';

/**
 * Each vector: the fixture it is cut from, the bytes (`pick`), how they are explained (`render`),
 * and for templates (`??` bytes) the other archives whose bytes must match the same template.
 */
export const VECTORS = [
  {
    name: 'ptar-header', fixture: 'tiny-plain', template: ALL,
    title: 'The 12-byte ptar container header: identical in every archive.',
    pick: (a) => a.buf.subarray(0, 12),
    render: (a, b) => annotateFields(a, b, [[8, 'magic', 'ascii'], [4, 'container version', 'version']]),
  },
  {
    name: 'ptar-trailer', fixture: 'tiny-plain',
    title: 'The 48-byte trailer at EOF-48 of tiny-plain.ptar: six signed 64-bit little-endian integers.',
    pick: (a) => a.buf.subarray(a.buf.length - 48),
    render: (a, b) => annotateFields(a, b, TRAILER_FIELDS),
  },
  {
    name: 'config-plain', fixture: 'tiny-plain',
    title: 'The wrapped configuration of tiny-plain.ptar (file offset 12): plaintext, Kloset v1.1 defaults as written by `plakar ptar -plaintext`.',
    pick: (a) => a.section(a.trailer.configOffset, a.trailer.configLength),
    render: (a, b) => wrappedConfig(a, b, false),
  },
  {
    name: 'config-plain-template', fixture: 'tiny-plain', template: V11_PLAIN,
    title: 'Template of every plaintext v1.1 wrapped configuration (Timestamp, RepositoryID and MAC vary).',
    pick: (a) => a.section(a.trailer.configOffset, a.trailer.configLength),
    render: (a, b) => wrappedConfig(a, b, true),
  },
  {
    name: 'config-plain-v1.0', fixture: 'v10-tiny-plain',
    title: 'The wrapped configuration of v10-tiny-plain.ptar: plakar v1.0.x defaults (legacy FASTCDC 64 KiB / 1 MiB / 4 MiB, Packfile.MaxSize 2^64-1 as set by ptar).',
    pick: (a) => a.section(a.trailer.configOffset, a.trailer.configLength),
    render: (a, b) => wrappedConfig(a, b, false),
  },
  {
    name: 'config-encrypted', fixture: 'tiny-enc',
    title: 'The wrapped configuration of tiny-enc.ptar: Argon2id + AES256-KW + AES256-GCM-SIV, with the 100-byte canary.',
    pick: (a) => a.section(a.trailer.configOffset, a.trailer.configLength),
    render: (a, b) => wrappedConfig(a, b, false),
  },
  {
    name: 'config-encrypted-template', fixture: 'tiny-enc', template: V11_ENC,
    title: 'Template of every encrypted v1.1 wrapped configuration (Timestamp, RepositoryID, Salt, Canary and MAC vary).',
    pick: (a) => a.section(a.trailer.configOffset, a.trailer.configLength),
    render: (a, b) => wrappedConfig(a, b, true),
  },
  {
    name: 'canary', fixture: 'tiny-enc',
    title: 'Encryption.Canary of tiny-enc.ptar: an encrypted stream of 32 random bytes (AES256-KW subkey, one AES-256-GCM-SIV chunk).',
    pick: (a) => decode(a.config.body).Encryption.Canary,
    render: (a, b) => annotateFields(a, b, [[40, 'AES-KW (RFC 3394) wrapped 32-byte subkey', 'bytes'], [12, 'chunk 1 nonce', 'bytes'], [32, 'chunk 1 AES-256-GCM-SIV ciphertext', 'bytes'], [16, 'chunk 1 tag', 'bytes']]),
  },
  {
    name: 'packfile-wrapper-header', fixture: 'tiny-plain', template: ALL,
    title: 'First 16 bytes of the packfile section: wrapper header, type PACKFILE (4), version 1.0.0.',
    pick: (a) => a.section(a.trailer.packfileOffset, 16),
    render: (a, b) => annotateFields(a, b, WRAPPER_HEADER),
  },
  {
    name: 'state-wrapper-header-1.1.0', fixture: 'tiny-plain', template: [...V11_PLAIN, ...V11_ENC],
    title: 'First 16 bytes of the state section written by Kloset v1.1: type STATE (3), version 1.1.0.',
    pick: (a) => a.section(a.trailer.stateOffset, 16),
    render: (a, b) => annotateFields(a, b, WRAPPER_HEADER),
  },
  {
    name: 'state-wrapper-header-1.0.0', fixture: 'v10-tiny-plain', template: V10,
    title: 'First 16 bytes of the state section written by Kloset v1.0: type STATE (3), version 1.0.0.',
    pick: (a) => a.section(a.trailer.stateOffset, 16),
    render: (a, b) => annotateFields(a, b, WRAPPER_HEADER),
  },
  {
    name: 'packfile-footer', fixture: 'tiny-plain',
    title: 'The raw (decoded) 56-byte packfile footer of tiny-plain.ptar.',
    pick: (a) => a.footerRaw,
    render: (a, b) => annotateFields(a, b, FOOTER_FIELDS),
  },
  {
    name: 'packfile-tail', fixture: 'tiny-plain',
    title: 'The end of the packfile body of tiny-plain.ptar: ENCODE(raw footer) (one LZ4 frame), then its length as u32 LE.',
    pick: (a) => a.packfile.body.subarray(a.packfile.body.length - 4 - a.footerLength),
    render: (a, b) => {
      annotateLz4Frame(a, b.subarray(0, b.length - 4));
      return annotateFields(a, b.subarray(b.length - 4), [[4, 'length of ENCODE(raw footer)', 'u32']]);
    },
  },
  {
    name: 'packfile-index-records', fixture: 'tiny-plain',
    title: 'The first two 56-byte records of the raw (decoded) packfile index of tiny-plain.ptar.',
    pick: (a) => a.indexRaw.subarray(0, 112),
    render: (a, b) => {
      annotateFields(a, b.subarray(0, 56), INDEX_RECORD);
      return annotateFields(a, b.subarray(56), INDEX_RECORD);
    },
  },
  {
    name: 'state-1.1.0', fixture: 'chunky-plain',
    title: 'The whole decoded state stream (version 1.1.0) of chunky-plain.ptar.',
    pick: (a) => a.stateStream,
    render: (a, b) => annotateState(a, b, true),
  },
  {
    name: 'state-1.0.0', fixture: 'v10-tiny-plain',
    title: 'The whole decoded state stream (version 1.0.0: no Parent prefix) of v10-tiny-plain.ptar.',
    pick: (a) => a.stateStream,
    render: (a, b) => annotateState(a, b, false),
  },
  {
    name: 'btree-root', fixture: 'tiny-plain',
    title: 'A B-tree root record (the error tree root, RT_ERROR_BTREE, of tiny-plain.ptar), decoded.',
    pick: (a) => emptyTree(a).root,
    render: (a, b) => annotateMsgpack(a, b),
  },
  {
    name: 'btree-empty-leaf', fixture: 'tiny-plain',
    title: 'The single empty leaf of an empty B-tree (RT_ERROR_NODE of tiny-plain.ptar), decoded.',
    pick: (a) => emptyTree(a).leaf,
    render: (a, b) => annotateMsgpack(a, b),
  },
  {
    name: 'lz4-frame', fixture: 'tiny-plain',
    title: 'The stored bytes of that empty leaf blob: one LZ4 frame as pierrec/lz4 writes it.',
    pick: (a) => {
      const [s] = a.snapshots();
      return a.encodedBlob(RT['error-node'], hex(decode(a.blob(RT['error-btree'], hex(s.header.sources[0].root.errors))).Root));
    },
    render: (a, b) => annotateLz4Frame(a, b),
  },
  {
    name: 'lz4-empty-frame', fixture: 'tiny-plain',
    title: 'The stored bytes of the empty chunk (content of an empty file): the LZ4 frame of zero bytes.',
    pick: (a) => {
      const mac = a.macsOf(RT.chunk).find((m) => a.blob(RT.chunk, m).length === 0);
      return a.encodedBlob(RT.chunk, mac);
    },
    render: (a, b) => annotateLz4Frame(a, b),
  },
  {
    name: 'btree-leaf', fixture: 'chunky-plain',
    title: 'The VFS tree of chunky-plain.ptar: one leaf (RT_VFS_NODE), keys in PathCmp order, values = entry MACs.',
    pick: (a) => {
      const [s] = a.snapshots();
      return a.blob(RT['vfs-node'], hex(decode(a.blob(RT['vfs-btree'], hex(s.header.sources[0].root.root))).Root));
    },
    render: (a, b) => annotateMsgpack(a, b),
  },
  {
    name: 'snapshot-header', fixture: 'tiny-plain',
    title: 'The snapshot header (RT_SNAPSHOT blob, decoded) of tiny-plain.ptar.',
    pick: (a) => a.blob(RT.snapshot, a.snapshots()[0].id),
    render: (a, b) => annotateMsgpack(a, b),
  },
  {
    name: 'entry-file', fixture: 'tiny-plain',
    title: `The VFS entry (RT_VFS_ENTRY, decoded) of ${T}/hello.txt in tiny-plain.ptar (Kloset v1.1).`,
    pick: (a) => entryBytes(a, `${T}/hello.txt`),
    render: (a, b) => annotateMsgpack(a, b),
  },
  {
    name: 'entry-symlink', fixture: 'tiny-plain',
    title: `The VFS entry of the symlink ${T}/link-to-hello in tiny-plain.ptar.`,
    pick: (a) => entryBytes(a, `${T}/link-to-hello`),
    render: (a, b) => annotateMsgpack(a, b),
  },
  {
    name: 'entry-directory', fixture: 'tiny-plain',
    title: `The VFS entry of the directory ${T}/nested (with an xattr) in tiny-plain.ptar: summary nil (Kloset v1.1).`,
    pick: (a) => entryBytes(a, `${T}/nested`),
    render: (a, b) => annotateMsgpack(a, b),
  },
  {
    name: 'entry-file-v1.0', fixture: 'v10-tiny-plain',
    title: `The VFS entry of ${T}/hello.txt in v10-tiny-plain.ptar (Kloset v1.0: no content_type, entropy, chunks).`,
    pick: (a) => entryBytes(a, `${T}/hello.txt`),
    render: (a, b) => annotateMsgpack(a, b),
  },
  {
    name: 'entry-directory-v1.0', fixture: 'v10-tiny-plain',
    title: `The VFS entry of the directory ${T}/nested/a/b/c in v10-tiny-plain.ptar: summary embedded (Kloset v1.0).`,
    pick: (a) => entryBytes(a, `${T}/nested/a/b/c`),
    render: (a, b) => annotateMsgpack(a, b),
  },
  {
    name: 'object', fixture: 'tiny-plain',
    title: `The object (RT_OBJECT, decoded) of ${T}/hello.txt in tiny-plain.ptar.`,
    pick: (a) => a.blob(RT.object, hex(decode(entryBytes(a, `${T}/hello.txt`)).object)),
    render: (a, b) => annotateMsgpack(a, b),
  },
  {
    name: 'object-empty-file', fixture: 'tiny-plain',
    title: `The object of the empty file ${T}/empty.txt: one chunk of length 0.`,
    pick: (a) => a.blob(RT.object, hex(decode(entryBytes(a, `${T}/empty.txt`)).object)),
    render: (a, b) => annotateMsgpack(a, b),
  },
  {
    name: 'xattr-entry', fixture: 'tiny-plain',
    title: `The xattr entry (RT_XATTR_ENTRY, decoded) of user.comment on ${T}/xattr.txt, tree key "${T}/xattr.txtuser.comment:".`,
    pick: (a) => {
      const [s] = a.snapshots();
      const leaves = new Map(a.treeLeaves(hex(s.header.sources[0].root.xattrs), RT['xattr-btree'], RT['xattr-node']));
      return a.blob(RT['xattr-entry'], leaves.get(`${T}/xattr.txtuser.comment:`));
    },
    render: (a, b) => annotateMsgpack(a, b),
  },
  {
    name: 'summary', fixture: 'tiny-plain',
    title: `The directory summary (RT_VFS_SUMMARY, decoded) of ${T}/nested/a in tiny-plain.ptar.`,
    pick: (a) => a.blob(RT['vfs-summary'], indexMap(a, 'summary').get(`${T}/nested/a`)),
    render: (a, b) => annotateMsgpack(a, b),
  },
  {
    name: 'dirpack', fixture: 'tiny-plain',
    title: `The dirpack stream of ${T}/nested/a/b/c in tiny-plain.ptar (the chunks of its object, concatenated): one frame.`,
    pick: (a) => a.readObject(indexMap(a, 'dirpack').get(`${T}/nested/a/b/c`)),
    render: (a, b) => {
      let p = 0;
      const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
      while (p < b.length) {
        const len = v.getUint32(p + 1, true);
        a.bytes(b.subarray(p, p + 1), `frame type ${b[p]} (${b[p] === 1 ? 'directory' : 'not a directory'})`);
        a.bytes(b.subarray(p + 1, p + 5), `frame length ${len} = entry length + 32 (u32 LE)`);
        a.note('  entry: exactly the bytes of the RT_VFS_ENTRY blob');
        annotateMsgpack(a, b.subarray(p + 5, p + 5 + len - 32), { indent: 2 });
        a.bytes(b.subarray(p + 5 + len - 32, p + 5 + len), 'MAC of the entry bytes = its RT_VFS_ENTRY identifier');
        p += 5 + len;
      }
      return a;
    },
  },
];

/** The tree keys of tiny-plain.ptar, in stored order: key formats and orderings at a glance. */
function treeKeys(dir) {
  const a = open(dir, 'tiny-plain');
  const [s] = a.snapshots();
  const src = s.header.sources[0];
  const keys = (mac, r, n) => a.treeLeaves(hex(mac), r, n).map(([k]) => k);
  const out = {
    description: 'Keys of every tree of the snapshot in tiny-plain.ptar, in leaf order (generated by spec/vectors/extract.mjs).',
    vfs: keys(src.root.root, RT['vfs-btree'], RT['vfs-node']),
    xattrs: keys(src.root.xattrs, RT['xattr-btree'], RT['xattr-node']),
    errors: keys(src.root.errors, RT['error-btree'], RT['error-node']),
  };
  for (const ix of src.indexes) out[`index:${ix.name}`] = keys(ix.value, RT['btree-root'], RT['btree-node']);
  return JSON.stringify(out, null, 2) + '\n';
}

function renderVector(dir, v) {
  const a = open(dir, v.fixture);
  const bytes = v.pick(a);
  const ann = new Annotated();
  ann.note(`${v.name}: ${v.title}`);
  ann.note(v.template ? `Template: every archive of ${v.template.join(', ')} matches it (?? = varies).` : `Exact bytes, cut from ${v.fixture}.ptar.`);
  ann.note('Generated by spec/vectors/extract.mjs from the real archives; do not edit.');
  ann.blank();
  v.render(ann, bytes);
  return ann.text();
}

/** Every generated file: name → content. Templates are checked against all their archives. */
export function generateAll(dir = DEFAULT_FIXTURES) {
  const files = new Map();
  for (const v of VECTORS) {
    const text = renderVector(dir, v);
    if (v.template) {
      const pattern = parseHex(text);
      for (const f of v.template) {
        const b = v.pick(open(dir, f));
        if (b.length !== pattern.bytes.length || !matches(pattern, b)) throw new Error(`template ${v.name} does not match ${f}`);
      }
    }
    files.set(`${v.name}.hex`, text);
  }
  files.set('tiny-plain-trees.json', treeKeys(dir));
  return files;
}

/** The bytes a vector was cut from, for tests that check templates against other archives. */
export function pickFrom(dir, vectorName, fixtureName) {
  const v = VECTORS.find((x) => x.name === vectorName);
  if (!v) throw new Error(`no vector ${vectorName}`);
  return v.pick(open(dir, fixtureName));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const check = args[0] === '--check';
  const dir = resolve(args[check ? 1 : 0] ?? DEFAULT_FIXTURES);
  let stale = 0;
  for (const [name, text] of generateAll(dir)) {
    const path = join(HERE, name);
    let old = null;
    try {
      old = readFileSync(path, 'utf8');
    } catch {
      // new file
    }
    if (old === text) continue;
    if (check) {
      console.error(`${name}: out of date`);
      stale++;
    } else {
      writeFileSync(path, text);
      console.log(`wrote ${name}`);
    }
  }
  process.exit(stale ? 1 : 0);
}
