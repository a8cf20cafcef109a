/*
 * spec/ is executable: the Kaitai Struct descriptions are compiled (kaitai-struct-compiler, the
 * Scala.js build of the reference compiler) and run on every real archive and on archives written
 * by this package; the byte vectors are regenerated from the real archives; the hex quoted in
 * spec/ptar.md is checked against those vectors; the FastCDC prose is run as a reference
 * implementation against the real chunker vectors.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load as loadYaml } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesEqual, toHex } from '../format/binary.js';
import { GEAR } from '../format/chunking/gear.js';
import { normalizedMasks } from '../format/chunking/fastcdc.js';
import { decompress } from '../format/codec/compression.js';
import { configMacFactory, digest } from '../format/crypto/mac.js';
import { parseFooter, parseIndex } from '../format/packfile.js';
import { CONFIG_VERSION, PACKFILE_VERSION, Repository } from '../format/repository.js';
import { RT } from '../format/resources.js';
import { BTree, compareBytes, parseNode, parseRoot } from '../format/snapshot/btree.js';
import { parseEntry, parseObject } from '../format/snapshot/entry.js';
import { parseHeader } from '../format/snapshot/header.js';
import { isDir } from '../format/snapshot/mode.js';
import { parseState, STATE_VERSION_1_0, STATE_VERSION_1_1, type StateData } from '../format/state.js';
import { PTAR_PACKFILE_ID, PTAR_STATE_ID } from '../format/storage/ptar.js';
import { PtarStore } from '../format/store/ptar.js';
import { matches, parseHex } from '../spec/vectors/annotate.mjs';
import { generateAll, pickFrom, VECTORS } from '../spec/vectors/extract.mjs';
import { FIXTURES, fixture, PASSPHRASE, REAL, REPO, runBin, SHARED } from './helpers.js';
import { prng } from './tree.js';

const SPEC = join(REPO, 'spec');
const VEC = join(SPEC, 'vectors');
const require = createRequire(import.meta.url);

// ---------------------------------------------------------------------------------------------
// Kaitai: compile every .ksy to JavaScript and load the generated parsers with the runtime.
// ---------------------------------------------------------------------------------------------

interface KaitaiCompiler {
  compile(lang: string, ksy: unknown, importer: { importYaml(name: string, mode: string): Promise<unknown> } | null, debug: boolean): Promise<Record<string, string>>;
  version: string;
}
type KaitaiStreamCtor = new (buf: ArrayBuffer) => { pos: number; size: number; isEof(): boolean };
// Generated parsers are plain JS objects; the tests read them field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Parsed = any;
type ParserCtor = new (io: InstanceType<KaitaiStreamCtor>, parent?: unknown, root?: unknown, ...params: unknown[]) => Parsed;

const KSY_FILES = ['kloset_wrapper', 'packfile', 'state', 'dirpack', 'ptar'] as const;
const KaitaiStream = require('kaitai-struct/KaitaiStream') as KaitaiStreamCtor;
const generated: Record<string, string> = {};
const modules: Record<string, Record<string, ParserCtor & Record<string, ParserCtor>>> = {};

function readKsy(name: string): Record<string, unknown> {
  return loadYaml(readFileSync(join(SPEC, `${name}.ksy`), 'utf8')) as Record<string, unknown>;
}

/** A tiny CommonJS loader for the generated UMD modules (they require each other by `./Name`). */
function requireGenerated(name: string): Record<string, ParserCtor & Record<string, ParserCtor>> {
  if (name === 'kaitai-struct/KaitaiStream') return KaitaiStream as never;
  const base = name.replace(/^\.\//, '');
  if (!modules[base]) {
    const code = generated[`${base}.js`];
    if (!code) throw new Error(`no generated module ${base}`);
    const exports = {};
    modules[base] = exports;
    new Function('exports', 'require', 'module', code)(exports, requireGenerated, { exports });
  }
  return modules[base]!;
}

function stream(bytes: Uint8Array): InstanceType<KaitaiStreamCtor> {
  return new KaitaiStream(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
}

let Ptar: ParserCtor;
let KlosetWrapper: ParserCtor;
let Packfile: ParserCtor & Record<string, ParserCtor>;
let State: ParserCtor;
let Dirpack: ParserCtor;

beforeAll(async () => {
  const compiler = require('kaitai-struct-compiler') as KaitaiCompiler;
  const importer = { importYaml: async (name: string) => readKsy(name) };
  for (const f of KSY_FILES) Object.assign(generated, await compiler.compile('javascript', readKsy(f), importer, false));
  Ptar = requireGenerated('Ptar').Ptar!;
  KlosetWrapper = requireGenerated('KlosetWrapper').KlosetWrapper!;
  Packfile = requireGenerated('Packfile').Packfile!;
  State = requireGenerated('State').State!;
  Dirpack = requireGenerated('Dirpack').Dirpack!;
});

// ---------------------------------------------------------------------------------------------
// Archives: the eight real ones, and a plaintext and an encrypted one written by our CLI.
// ---------------------------------------------------------------------------------------------

const work = mkdtempSync(join(tmpdir(), 'spec-test-'));
const WRITTEN = ['written-plain', 'written-enc'] as const;
const ARCHIVES = [...FIXTURES, ...WRITTEN];
const archivePath = (name: string): string => (name.startsWith('written-') ? join(work, `${name}.ptar`) : fixture(name));

/** A small tree: empty, small and multi-chunk files, a directory of 60 files (two-level B-tree), symlinks, an empty directory. */
function smallTree(root: string): void {
  mkdirSync(join(root, 'many'), { recursive: true });
  mkdirSync(join(root, 'empty-dir'));
  writeFileSync(join(root, 'hello.txt'), 'Hello, Kloset!\n');
  writeFileSync(join(root, 'empty'), '');
  writeFileSync(join(root, 'random.bin'), prng('spec', 1_300_000));
  for (let i = 0; i < 60; i++) writeFileSync(join(root, 'many', `f${String(i).padStart(2, '0')}.txt`), `file ${i}\n`.repeat(i));
  symlinkSync('hello.txt', join(root, 'link'));
  symlinkSync('/nowhere', join(root, 'dangling'));
}

const repos = new Map<string, Promise<Repository>>();
function openRepo(name: string): Promise<Repository> {
  let r = repos.get(name);
  if (!r) {
    r = PtarStore.open(archivePath(name)).then((s) => Repository.open(s, async (n) => (n === 1 ? PASSPHRASE : null)));
    repos.set(name, r);
  }
  return r;
}

beforeAll(async () => {
  const src = join(work, 'tree');
  smallTree(src);
  for (const w of WRITTEN) {
    const r = await runBin('plakar', ['ptar', ...(w === 'written-plain' ? ['-plaintext'] : []), '-quiet', '-o', archivePath(w), src], { PLAKAR_PASSPHRASE: PASSPHRASE });
    if (r.code !== 0) throw new Error(`plakar ptar failed: ${r.stderr}`);
  }
});

afterAll(async () => {
  for (const r of repos.values()) await (await r).close();
  rmSync(work, { recursive: true, force: true });
});

describe('Kaitai Struct descriptions', () => {
  it('every .ksy compiles, has the id of its file name, and ptar.ksy is the top-level one', () => {
    for (const f of KSY_FILES) expect((readKsy(f).meta as { id: string }).id).toBe(f);
    expect(Object.keys(generated).sort()).toEqual(['Dirpack.js', 'KlosetWrapper.js', 'Packfile.js', 'Ptar.js', 'State.js']);
    expect(readdirSync(SPEC).filter((f) => f.endsWith('.ksy')).sort()).toEqual(KSY_FILES.map((f) => `${f}.ksy`).sort());
  });

  it('rejects what the format forbids: bad magic, bad trailer, bad wrapper magic', () => {
    const bytes = new Uint8Array(readFileSync(fixture('tiny-plain')));
    const bad = bytes.slice();
    bad[1] = 0x51;
    expect(() => new Ptar(stream(bad))).toThrow();
    const badTrailer = bytes.slice();
    badTrailer[badTrailer.length - 48] = 13; // configOffset must be 12
    expect(() => new Ptar(stream(badTrailer)).trailer).toThrow();
    const cfg = bytes.slice(12, 12 + 369);
    cfg[1] = 0x41;
    expect(() => new KlosetWrapper(stream(cfg))).toThrow();
    // the legacy magic is accepted
    cfg.set(Buffer.from('_PLAKAR_', 'latin1'), 0);
    expect(new KlosetWrapper(stream(cfg)).header.magic).toBe('_PLAKAR_');
  });

  it('state.ksy: fixed sizes are enforced, unknown entries are skipped, ET_DELETE only exists in 1.1.0', () => {
    const metadata = (v: number) => Buffer.concat([Buffer.from([1]), Buffer.from(new Uint32Array([v]).buffer), Buffer.alloc(8), Buffer.alloc(16, 7)]);
    const entry = (type: number, payload: Buffer) => {
      const h = Buffer.alloc(5);
      h[0] = type;
      h.writeUInt32LE(payload.length, 1);
      return Buffer.concat([h, payload]);
    };
    // 1.0.0: an entry of type 6 (unknown there) and an unknown type 9 are kept as raw payloads
    const v10 = new State(stream(Buffer.concat([entry(6, Buffer.from('abc')), entry(9, Buffer.alloc(2)), metadata(0x10000)])), null, null, false);
    expect(v10.entries.map((e: Parsed) => e.entryType)).toEqual([6, 9, 1]);
    expect(v10.entries[0].payload).toBeInstanceOf(Uint8Array);
    // 1.1.0: ET_DELETE is parsed, a location of 84 bytes is refused
    const del = Buffer.concat([Buffer.from([2, 9]), Buffer.alloc(64, 1)]);
    const v11 = new State(stream(Buffer.concat([Buffer.alloc(32), entry(6, del), metadata(0x10100)])), null, null, true);
    expect(v11.entries[0].payload.targetEntryType).toBe(2);
    expect(v11.entries[0].payload.blobType).toBe(9);
    expect(() => new State(stream(Buffer.concat([Buffer.alloc(32), entry(2, Buffer.alloc(84)), metadata(0x10100)])), null, null, true)).toThrow();
    expect(() => new State(stream(Buffer.concat([Buffer.alloc(32), entry(6, Buffer.alloc(65)), metadata(0x10100)])), null, null, true)).toThrow();
    // dirpack frames shorter than a MAC are refused
    expect(() => new Dirpack(stream(Buffer.from([2, 31, 0, 0, 0, ...new Array(31).fill(0)])))).toThrow();
  });

  describe.each(ARCHIVES)('%s', (name) => {
    it('container: magic, version, trailer and the three wrapped sections agree with PtarStore and the repository', async () => {
      const path = archivePath(name);
      const bytes = new Uint8Array(readFileSync(path));
      const p = new Ptar(stream(bytes));
      const store = await PtarStore.open(path);
      const repo = await openRepo(name);
      try {
        expect(Buffer.from(p.magic).toString('latin1')).toBe('_PLATAR_');
        expect(p.version.packed).toBe(store.layout.version);
        expect(p.version.packed).toBe(0x00010000);
        const t = p.trailer;
        expect([t.configOffset, t.configLength, t.packfileOffset, t.packfileLength, t.stateOffset, t.stateLength]).toEqual([
          store.layout.config.offset, store.layout.config.length, store.layout.packfile.offset, store.layout.packfile.length,
          store.layout.state.offset, store.layout.state.length,
        ]);
        // Plakar writes the sections contiguously, in this order, and nothing else.
        expect(t.packfileOffset).toBe(12 + t.configLength);
        expect(t.stateOffset).toBe(t.packfileOffset + t.packfileLength);
        expect(t.stateOffset + t.stateLength + 48).toBe(bytes.length);

        const sections = [
          ['config', p.config, t.configOffset, t.configLength, RT.CONFIG, CONFIG_VERSION],
          ['packfile', p.packfile, t.packfileOffset, t.packfileLength, RT.PACKFILE, PACKFILE_VERSION],
          ['state', p.state, t.stateOffset, t.stateLength, RT.STATE, repo.states[0]!.version],
        ] as const;
        for (const [what, s, off, len, type, version] of sections) {
          expect(s.header.magic, what).toBe('_KLOSET_');
          expect(s.header.resourceType, what).toBe(type);
          expect(s.header.version.packed, what).toBe(version);
          expect(s.body.length, what).toBe(len - 48);
          expect(bytesEqual(s.mac, bytes.subarray(off + len - 32, off + len)), what).toBe(true);
          // kloset_wrapper.ksy parses the section alone the same way
          const w = new KlosetWrapper(stream(bytes.subarray(off, off + len)));
          expect([w.header.magic, w.header.resourceType, w.header.version.packed, w.body.length], what).toEqual([s.header.magic, type, version, s.body.length]);
          expect(bytesEqual(w.mac, s.mac), what).toBe(true);
        }
        expect(p.config.header.version.packed).toBe(repo.config.version);
        expect([p.state.header.version.major, p.state.header.version.minor]).toEqual(name.startsWith('v10-') ? [1, 0] : [1, 1]);

        // Which key seals which MAC (spec §7.6): config = BLAKE3 (keyed by the master key or unkeyed),
        // packfile and state = the repository MAC.
        const sealed = (off: number, len: number) => bytes.subarray(off, off + len - 32);
        expect(bytesEqual(digest(configMacFactory(repo.master)(), sealed(t.configOffset, t.configLength)), p.config.mac)).toBe(true);
        expect(bytesEqual(digest(repo.newMac(), sealed(t.packfileOffset, t.packfileLength)), p.packfile.mac)).toBe(true);
        expect(bytesEqual(digest(repo.newMac(), sealed(t.stateOffset, t.stateLength)), p.state.mac)).toBe(true);
        // the ptar store names its only state and packfile with fixed identifiers
        expect(toHex((await store.listStates())[0]!)).toBe(toHex(PTAR_STATE_ID));
        expect(toHex(PTAR_PACKFILE_ID)).toBe('000102030405060708090a0b0c0d0e0f' + '00'.repeat(16));
      } finally {
        await store.close();
      }
    });

    it('packfile: footer length, footer and index parse with packfile.ksy and agree with the library', async () => {
      const bytes = new Uint8Array(readFileSync(archivePath(name)));
      const p = new Ptar(stream(bytes));
      const repo = await openRepo(name);
      const body: Parsed = p.packfileBody;
      const rawBody = p.packfile.body as Uint8Array;
      expect(body.encodedFooterLength).toBe(new DataView(rawBody.buffer, rawBody.byteOffset).getUint32(rawBody.length - 4, true));
      // A plaintext archive's footer and index are only LZ4-compressed; an encrypted one's are
      // encrypted streams as well: decode with the repository's codec.
      const decodeObj = (b: Uint8Array, what: string): Uint8Array => (repo.encrypted ? repo.codec.decode(b, what) : decompress('LZ4', b, what));
      const rawFooter = decodeObj(body.encodedFooter, 'footer');
      expect(rawFooter.length).toBe(56);
      const f = new Packfile.RawFooter!(stream(rawFooter));
      const lib = parseFooter(rawFooter);
      expect([BigInt(f.timestamp), f.count, f.indexOffset]).toEqual([lib.timestamp, lib.count, lib.indexOffset]);
      expect(f.timestamp).toBe(0); // ptar packfiles carry no timestamp
      expect(f.flags).toBe(0);
      const encodedIndex = (body.dataAndIndex as Uint8Array).subarray(f.indexOffset);
      const rawIndex = decodeObj(encodedIndex, 'index');
      expect(bytesEqual(repo.computeMac(rawIndex), f.indexMac)).toBe(true);
      const idx = new Packfile.RawIndex!(stream(rawIndex));
      expect(idx.records.length).toBe(f.count);
      const libRecords = parseIndex(rawIndex, lib);
      // ptar: the state lists exactly the blobs of the index, in the same order
      const locs = repo.states[0]!.locations;
      expect(locs.length).toBe(f.count);
      let dataLength = 0;
      idx.records.forEach((r: Parsed, i: number) => {
        const l = libRecords[i]!;
        expect([r.resourceType, r.version, r.offset, r.length, r.flags]).toEqual([l.type, l.version, l.offset, l.length, 0]);
        expect(bytesEqual(r.mac, l.mac)).toBe(true);
        expect([locs.at(i).type, locs.at(i).offset, locs.at(i).length, toHex(locs.at(i).mac)]).toEqual([r.resourceType, Number(r.offset), r.length, toHex(r.mac)]);
        expect(r.version).toBe(0x00010000);
        dataLength += r.length;
      });
      // the data section is exactly the concatenation of the encoded blobs
      expect(dataLength).toBe(f.indexOffset);
      // ptar: index records are sorted by the string "<type decimal>:<mac hex>" (Plakar's packing cache order)
      const keys = idx.records.map((r: Parsed) => `${r.resourceType}:${toHex(r.mac)}`);
      expect(keys).toEqual([...keys].sort());
    });

    it('state: the decoded stream parses with state.ksy to the same entries as the library', async () => {
      const bytes = new Uint8Array(readFileSync(archivePath(name)));
      const p = new Ptar(stream(bytes));
      const repo = await openRepo(name);
      const st = repo.states[0]!;
      const decoded = repo.codec.decode(p.state.body, 'state');
      const hasParent = p.state.header.version.packed === STATE_VERSION_1_1;
      expect(hasParent).toBe(!name.startsWith('v10-'));
      const io = stream(decoded);
      const s = new State(io, null, null, hasParent);
      expect(io.isEof()).toBe(true);
      const entries = s.entries as Parsed[];
      const ofType = (t: number) => entries.filter((e) => e.entryType === t);
      expect(ofType(2).length).toBe(st.locations.length);
      expect(ofType(4).length).toBe(st.packfiles.length);
      expect(ofType(4).length).toBe(1);
      expect(ofType(3).length + ofType(5).length + ofType(6).length).toBe(0);
      expect(entries.at(-1).entryType).toBe(1);
      if (hasParent) expect(toHex(s.parent)).toBe(toHex(st.parent!));
      const meta = entries.at(-1).metadata;
      // The JavaScript Kaitai runtime reads u8 as a double: compare the timestamp at that precision.
      expect([meta.version, meta.timestamp, toHex(meta.serial)]).toEqual([st.metadata.version, Number(st.metadata.timestamp), toHex(st.metadata.serial)]);
      expect(meta.version).toBe(hasParent ? STATE_VERSION_1_1 : STATE_VERSION_1_0);
      // the metadata serial of a fresh ptar is its RepositoryID
      expect(toHex(meta.serial)).toBe(toHex(repo.config.repositoryId));
      ofType(2).forEach((e, i) => {
        const l = st.locations.at(i);
        expect([e.length, e.payload.blobType, e.payload.blobVersion, Number(e.payload.offset), e.payload.length, e.payload.flags]).toEqual([85, l.type, l.version, l.offset, l.length, 0]);
        expect(toHex(e.payload.mac)).toBe(toHex(l.mac));
        // every location names the packfile of the ET_PACKFILE entry (a random id in ptar archives)
        expect(toHex(e.payload.packfile)).toBe(toHex(ofType(4)[0].payload.packfile));
      });
      expect(ofType(4)[0].length).toBe(72);
    });

    it('dirpacks: every directory of the dirpack index parses with dirpack.ksy into its children', async () => {
      const repo = await openRepo(name);
      let frames = 0;
      for (const id of repo.index.snapshots()) {
        const header = parseHeader(await repo.getBlob(RT.SNAPSHOT, id));
        const src = header.sources[0]!;
        const tree = (rootMac: Uint8Array, rootType: number, nodeType: number) =>
          new BTree(async () => parseRoot(await repo.getBlob(rootType, rootMac), 'root').root, async (m) => parseNode(await repo.getBlob(nodeType, m), 'node'), compareBytes);
        // children by parent path, from the VFS tree itself
        const children = new Map<string, string[]>();
        for await (const [path, mac] of tree(src.vfs.root, RT.VFS_BTREE, RT.VFS_NODE).scan()) {
          const e = parseEntry(await repo.getBlob(RT.VFS_ENTRY, mac), mac);
          expect(e.path).toBe(path);
          if (path === '/') continue;
          children.set(e.parentPath, [...(children.get(e.parentPath) ?? []), path]);
        }
        const ix = src.indexes.find((i) => i.name === 'dirpack');
        expect(ix).toBeDefined();
        for await (const [dir, objectMac] of tree(ix!.value, RT.BTREE_ROOT, RT.BTREE_NODE).scan()) {
          const obj = parseObject(await repo.getBlob(RT.OBJECT, objectMac));
          expect(obj.chunks.length).toBeGreaterThan(0);
          const content = Buffer.concat(await Promise.all(obj.chunks.map((c) => repo.getBlob(RT.CHUNK, c.contentMac))));
          const d = new Dirpack(stream(content));
          const paths: string[] = [];
          for (const fr of d.frames as Parsed[]) {
            expect(bytesEqual(repo.computeMac(fr.entry), fr.entryMac)).toBe(true);
            expect(bytesEqual(await repo.getBlob(RT.VFS_ENTRY, fr.entryMac), fr.entry)).toBe(true);
            const e = parseEntry(fr.entry, fr.entryMac);
            expect(e.parentPath).toBe(dir);
            expect(fr.frameType).toBe(isDir(e.fileInfo.mode) ? 1 : 2);
            expect(fr.length).toBe(fr.entry.length + 32);
            paths.push(e.path);
            frames++;
          }
          // one frame per child, ordered by name bytewise
          expect(paths).toEqual([...(children.get(dir) ?? [])].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
        }
      }
      expect(frames).toBeGreaterThan(0);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Byte vectors
// ---------------------------------------------------------------------------------------------

describe('spec/vectors', () => {
  const files = generateAll(REAL);

  it('every vector file is exactly what extract.mjs cuts from the real archives (no drift)', () => {
    const onDisk = readdirSync(VEC).filter((f) => f.endsWith('.hex') || f === 'tiny-plain-trees.json');
    expect(onDisk.sort()).toEqual([...files.keys()].sort());
    for (const [name, text] of files) expect(readFileSync(join(VEC, name), 'utf8'), name).toBe(text);
  });

  it('templates match the same region of every archive they name', () => {
    let checked = 0;
    for (const v of VECTORS.filter((x) => x.template)) {
      const pattern = parseHex(readFileSync(join(VEC, `${v.name}.hex`), 'utf8'));
      expect(pattern.mask.some((m) => m === 0) || v.name.includes('header')).toBe(true);
      for (const f of v.template!) {
        const b = pickFrom(REAL, v.name, f);
        expect(b.length, `${v.name} vs ${f}`).toBe(pattern.bytes.length);
        expect(matches(pattern, b), `${v.name} vs ${f}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  /** Byte arrays as hex, so that Buffers and Uint8Arrays compare equal. */
  const plain = (v: unknown): unknown => {
    if (v instanceof Uint8Array) return toHex(v);
    if (typeof v === 'bigint') return v.toString();
    if (Array.isArray(v)) return v.map(plain);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
    return v;
  };
  const vec = (name: string): Uint8Array => parseHex(readFileSync(join(VEC, `${name}.hex`), 'utf8')).bytes;

  it('the vectors say what the library reads', async () => {
    const tiny = await openRepo('tiny-plain');
    const store = tiny.store as PtarStore;
    const tr = new DataView(vec('ptar-trailer').buffer);
    const L = store.layout;
    expect([0, 8, 16, 24, 32, 40].map((o) => Number(tr.getBigInt64(o, true)))).toEqual([L.config.offset, L.config.length, L.packfile.offset, L.packfile.length, L.state.offset, L.state.length]);
    expect(bytesEqual(vec('config-plain'), await store.getConfig())).toBe(true);
    const footer = parseFooter(vec('packfile-footer'));
    expect(footer.count).toBe(tiny.states[0]!.locations.length);
    const tail = vec('packfile-tail');
    expect(bytesEqual(decompress('LZ4', tail.subarray(0, tail.length - 4), 'footer'), vec('packfile-footer'))).toBe(true);
    expect(new DataView(tail.buffer).getUint32(tail.length - 4, true)).toBe(tail.length - 4);
    const rec = parseIndex(vec('packfile-index-records'), { ...footer, count: 2 });
    expect(rec[0]!.type).toBe(RT.VFS_BTREE);

    const chunky = await openRepo('chunky-plain');
    // the repository also records each state's id in its store, which the stream does not carry
    const withoutId = ({ id: _id, ...rest }: StateData) => plain(rest);
    expect(plain(parseState(vec('state-1.1.0'), STATE_VERSION_1_1))).toEqual(withoutId(chunky.states[0]!));
    const v10 = await openRepo('v10-tiny-plain');
    expect(plain(parseState(vec('state-1.0.0'), STATE_VERSION_1_0))).toEqual(withoutId(v10.states[0]!));

    const enc = await openRepo('tiny-enc');
    expect(bytesEqual(vec('canary'), enc.config.encryption!.canary)).toBe(true);
    expect(bytesEqual(vec('config-encrypted'), await enc.store.getConfig())).toBe(true);

    expect(parseRoot(vec('btree-root'), 'root').order).toBe(50);
    expect(parseNode(vec('btree-empty-leaf'), 'leaf')).toEqual({ keys: [], pointers: [], values: [], next: null });
    expect(bytesEqual(decompress('LZ4', vec('lz4-frame'), 'frame'), vec('btree-empty-leaf'))).toBe(true);
    const leaf = parseNode(vec('btree-leaf'), 'leaf');
    expect(leaf.keys[0]).toBe('/');
    expect(parseHeader(vec('snapshot-header')).sources[0]!.importer.directory).toBe('/data/fixtures/tiny');
    const entry = parseEntry(vec('entry-file'), tiny.computeMac(vec('entry-file')));
    expect(entry.path).toBe('/data/fixtures/tiny/hello.txt');
    expect(bytesEqual(tiny.computeMac(vec('object')), entry.object)).toBe(true);
    const obj = parseObject(vec('object'));
    const content = Buffer.concat(await Promise.all(obj.chunks.map((c) => tiny.getBlob(RT.CHUNK, c.contentMac))));
    expect(content.toString()).toBe('Hello, Kloset!\n');
    expect(parseObject(vec('object-empty-file')).chunks.map((c) => c.length)).toEqual([0]);
    expect(parseEntry(vec('entry-directory-v1.0'), new Uint8Array(32)).summary).not.toBeNull();
    expect(parseEntry(vec('entry-directory'), new Uint8Array(32)).summary).toBeNull();
    const frames = new Dirpack(stream(vec('dirpack'))).frames as Parsed[];
    expect(frames.map((f) => parseEntry(f.entry, f.entryMac).path)).toEqual(['/data/fixtures/tiny/nested/a/b/c/deep.txt']);
  });

  it('every stored blob of the real plaintext archives is one LZ4 frame starting 04 22 4d 18 64 70 b9', async () => {
    const header = vec('lz4-frame').subarray(0, 7);
    for (const name of ['tiny-plain', 'chunky-plain', 'multi-plain', 'multi-dirs-plain', 'v10-tiny-plain']) {
      const repo = await openRepo(name);
      for (const type of Object.values(RT)) {
        for (const mac of repo.index.list(type)) expect(bytesEqual((await repo.getEncodedBlob(type, mac)).subarray(0, 7), header), name).toBe(true);
      }
    }
  });

  it('blobs written by ptar-kit are LZ4 frames within the limits of §8.3 (version 01, no dictionary, a valid BD)', async () => {
    const repo = await openRepo('written-plain');
    let n = 0;
    for (const type of Object.values(RT)) {
      for (const mac of repo.index.list(type)) {
        const b = await repo.getEncodedBlob(type, mac);
        expect(toHex(b.subarray(0, 4))).toBe('04224d18');
        expect(b[4]! & 0xc1).toBe(0x40);
        expect([0x40, 0x50, 0x60, 0x70]).toContain(b[5]);
        n++;
      }
    }
    expect(n).toBeGreaterThan(100);
  });
});

// ---------------------------------------------------------------------------------------------
// The prose: hex quoted in ptar.md, the Gear table, FastCDC.
// ---------------------------------------------------------------------------------------------

const md = readFileSync(join(SPEC, 'ptar.md'), 'utf8');

describe('spec/ptar.md', () => {
  it('every ```hex block quoting a vector matches that vector byte for byte', () => {
    const blocks = [...md.matchAll(/```hex vector=([\w.-]+)(?: offset=(\d+))?\n([\s\S]*?)```/g)];
    expect(blocks.length).toBeGreaterThanOrEqual(10);
    for (const [, name, offset, body] of blocks) {
      const prose = parseHex(body!);
      const v = parseHex(readFileSync(join(VEC, `${name}.hex`), 'utf8'));
      const at = Number(offset ?? 0);
      expect(at + prose.bytes.length, `${name}: quote longer than the vector`).toBeLessThanOrEqual(v.bytes.length);
      for (let i = 0; i < prose.bytes.length; i++) {
        if (!prose.mask[i]) continue;
        expect(v.mask[at + i], `${name}[${at + i}] varies between archives`).toBe(1);
        expect(prose.bytes[i], `${name}[${at + i}]`).toBe(v.bytes[at + i]);
      }
    }
  });

  it('every other fenced hex block is marked as an example', () => {
    for (const m of md.matchAll(/```hex([^\n]*)\n/g)) expect(m[1]!.trim(), 'a ```hex block must say vector=NAME or example').toMatch(/^(vector=[\w.-]+( offset=\d+)?|example)$/);
  });

  it('section references of the .ksy files and of the schemas exist', () => {
    const headings = new Set([...md.matchAll(/^#{2,3} (\d+(?:\.\d+)?)\. /gm)].map((m) => m[1]));
    for (const f of KSY_FILES) {
      const ref = (readKsy(f)['doc-ref'] as string).match(/§(\d+(?:\.\d+)?)/)![1];
      expect(headings.has(ref), `${f}.ksy doc-ref §${ref}`).toBe(true);
    }
    for (const m of md.matchAll(/§(\d+(?:\.\d+)?)/g)) expect(headings.has(m[1]), `§${m[1]} referenced in ptar.md`).toBe(true);
  });

  it('answers the three questions in sections of their own', () => {
    expect(md).toMatch(/^## \d+\. .*[Aa]nswers/m);
    expect(md).toMatch(/^### \d+\.\d+\. Where is the packfile index of an encrypted archive/m);
    expect(md).toMatch(/^### \d+\.\d+\. How is a file's content reassembled/m);
    expect(md).toMatch(/^### \d+\.\d+\. Which versions must a reader accept/m);
  });

  it('the Gear table shipped in spec/vectors has the SHA-256 the prose gives, and equals the implementation', () => {
    const gear = JSON.parse(readFileSync(join(VEC, 'fastcdc-gear.json'), 'utf8')) as { sha256: string; values: string[] };
    expect(gear.values.length).toBe(256);
    const le = Buffer.alloc(256 * 8);
    gear.values.forEach((v, i) => le.writeBigUInt64LE(BigInt(`0x${v}`), i * 8));
    const sha = createHash('sha256').update(le).digest('hex');
    expect(sha).toBe(gear.sha256);
    expect(md).toContain(sha);
    expect(gear.values.map((v) => BigInt(`0x${v}`))).toEqual([...GEAR]);
  });

  it('the chunker vectors shipped in spec/vectors are the real go-cdc-chunkers ones', () => {
    for (const f of ['fastcdc-v1.0.0_512K_1M_8M.json', 'fastcdc-legacy_64K_1M_4M.json', 'inputs.json']) {
      expect(readFileSync(join(VEC, 'cdc', f), 'utf8'), f).toBe(readFileSync(join(SHARED, 'fixtures', 'cdc', f), 'utf8'));
    }
  });

  it('FastCDC as the prose states it (a literal BigInt transcription) reproduces the real cut points and masks', () => {
    const G = (JSON.parse(readFileSync(join(VEC, 'fastcdc-gear.json'), 'utf8')) as { values: string[] }).values.map((v) => BigInt(`0x${v}`));
    const spaced = (k: number): bigint => {
      if (k >= 64) return (1n << 64n) - 1n;
      let m = 0n;
      if (k > 0) for (let i = 0; i < k; i++) m |= 1n << BigInt(63 - i * Math.floor(64 / k));
      return m;
    };
    const M64 = (1n << 64n) - 1n;
    const cut = (data: Uint8Array, min: number, normal: number, max: number, maskS: bigint, maskL: bigint): number => {
      let n = data.length;
      if (n <= min) return n;
      if (n >= max) n = max;
      else if (n <= normal) normal = n;
      let fp = 0n;
      let mask = maskS;
      for (let i = min; i < n; i++) {
        if (i === normal) mask = maskL;
        fp = ((fp << 1n) + G[data[i]!]!) & M64;
        if ((fp & mask) === 0n) return i;
      }
      return n;
    };
    const chunks = (data: Uint8Array, min: number, normal: number, max: number, maskS: bigint, maskL: bigint): number[] => {
      if (data.length === 0) return [0];
      const out: number[] = [];
      for (let p = 0; p < data.length; ) {
        const c = cut(data.subarray(p, Math.min(p + max, data.length)), min, normal, max, maskS, maskL);
        out.push(c);
        p += c;
      }
      return out;
    };
    const prngInput = (n: number): Uint8Array => {
      const out = Buffer.alloc(n + 32);
      for (let i = 0, at = 0; at < n; i++, at += 32) {
        const c = Buffer.alloc(8);
        c.writeBigUInt64LE(BigInt(i));
        createHash('sha256').update(Buffer.concat([Buffer.from('kloset-cdc-vectors'), c])).digest().copy(out, at);
      }
      return out.subarray(0, n);
    };
    // masks: prose values for NormalSize = 1 MiB, and the legacy constants
    expect(spaced(20 + 2)).toBe(0xaaaaaaaaaaa00000n);
    expect(spaced(20 - 2)).toBe(0x9249249249249000n);
    const m = normalizedMasks(1 << 20);
    expect(BigInt(m.maskS.hi) << 32n | BigInt(m.maskS.lo)).toBe(0xaaaaaaaaaaa00000n);
    expect(md).toContain('0xAAAAAAAAAAA00000');
    expect(md).toContain('0x9249249249249000');
    expect(md).toContain('0x0003590703530000');
    expect(md).toContain('0x0000d90003530000');

    type Vectors = { vectors: { input: string; length: number; chunk_lengths: number[] }[] };
    const v11 = JSON.parse(readFileSync(join(VEC, 'cdc', 'fastcdc-v1.0.0_512K_1M_8M.json'), 'utf8')) as Vectors;
    const legacy = JSON.parse(readFileSync(join(VEC, 'cdc', 'fastcdc-legacy_64K_1M_4M.json'), 'utf8')) as Vectors;
    let checked = 0;
    for (const v of v11.vectors.filter((x) => x.input.startsWith('prng-') && x.length <= 4_194_304)) {
      expect(chunks(prngInput(v.length), 524288, 1 << 20, 8 << 20, 0xaaaaaaaaaaa00000n, 0x9249249249249000n), v.input).toEqual(v.chunk_lengths);
      checked++;
    }
    for (const v of legacy.vectors.filter((x) => x.input.startsWith('prng-') && x.length <= 1_000_000)) {
      expect(chunks(prngInput(v.length), 65536, 1 << 20, 4 << 20, 0x0003590703530000n, 0x0000d90003530000n), v.input).toEqual(v.chunk_lengths);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(12);
  });
});
