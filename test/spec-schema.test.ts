/*
 * spec/schema/*.json checked against every msgpack record of every real archive and of archives
 * written by this package: each record is decoded to its JSON view (spec/schema/jsonview.mjs)
 * and validated with Ajv (JSON Schema draft 2020-12, strict mode). A field the schema does not
 * know, a missing required field or a value outside its Go type fails.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode, encode } from '@msgpack/msgpack';
import { setAttributeSync } from '@napi-rs/xattr';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ByteReader } from '../format/binary.js';
import { Repository } from '../format/repository.js';
import { RT } from '../format/resources.js';
import { BTree, compareBytes, parseNode, parseRoot } from '../format/snapshot/btree.js';
import { parseObject } from '../format/snapshot/entry.js';
import { parseHeader } from '../format/snapshot/header.js';
import { serializeErrorItem } from '../format/snapshot/serialize.js';
import { PtarStore } from '../format/store/ptar.js';
import { jsonView } from '../spec/schema/jsonview.mjs';
import { FIXTURES, fixture, PASSPHRASE, REPO, runBin } from './helpers.js';
import { prng } from './tree.js';

const SCHEMA_DIR = join(REPO, 'spec', 'schema');
const BASE = 'https://ptar-kit.invalid/spec/schema/';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const ajv = new Ajv2020({ strict: true, allErrors: true });
const schemaFiles = readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.json')).sort();
for (const f of schemaFiles) ajv.addSchema(JSON.parse(readFileSync(join(SCHEMA_DIR, f), 'utf8')) as object);
const validator = (name: string): ValidateFunction => {
  const v = ajv.getSchema(`${BASE}${name}.json`);
  if (!v) throw new Error(`no schema ${name}`);
  return v;
};

/** Which schema describes each blob type. */
const BY_TYPE: Record<number, string> = {
  [RT.SNAPSHOT]: 'snapshot-header',
  [RT.OBJECT]: 'object',
  [RT.VFS_BTREE]: 'btree-root',
  [RT.ERROR_BTREE]: 'btree-root',
  [RT.XATTR_BTREE]: 'btree-root',
  [RT.BTREE_ROOT]: 'btree-root',
  [RT.VFS_NODE]: 'btree-node',
  [RT.ERROR_NODE]: 'btree-node',
  [RT.XATTR_NODE]: 'btree-node',
  [RT.BTREE_NODE]: 'btree-node',
  [RT.VFS_ENTRY]: 'entry',
  [RT.ERROR_ENTRY]: 'error-entry',
  [RT.XATTR_ENTRY]: 'xattr-entry',
  [RT.VFS_SUMMARY]: 'summary',
};

function check(schema: string, value: unknown, what: string): void {
  const v = validator(schema);
  if (!v(value)) throw new Error(`${what} does not match ${schema}.json: ${ajv.errorsText(v.errors)}`);
}

function fails(schema: string, value: unknown): boolean {
  return !validator(schema)(value);
}

const clone = <T>(v: T): T => structuredClone(v);

// ---------------------------------------------------------------------------------------------

const work = mkdtempSync(join(tmpdir(), 'spec-schema-'));
const WRITTEN = ['written-plain', 'written-enc'] as const;
const archivePath = (name: string): string => (name.startsWith('written-') ? join(work, `${name}.ptar`) : fixture(name));
const exercised = new Map<string, number>();
const samples = new Map<string, Json>();

beforeAll(async () => {
  const src = join(work, 'tree');
  mkdirSync(join(src, 'sub', 'deeper'), { recursive: true });
  mkdirSync(join(src, 'empty-dir'));
  writeFileSync(join(src, 'hello.txt'), 'Hello, Kloset!\n');
  writeFileSync(join(src, 'empty'), '');
  writeFileSync(join(src, 'sub', 'deeper', 'random.bin'), prng('schema', 200_000));
  for (let i = 0; i < 55; i++) writeFileSync(join(src, 'sub', `n${i}.txt`), `n${i}\n`);
  symlinkSync('hello.txt', join(src, 'link'));
  setAttributeSync(join(src, 'hello.txt'), 'user.comment', 'a comment');
  for (const w of WRITTEN) {
    const r = await runBin('plakar', ['ptar', ...(w === 'written-plain' ? ['-plaintext'] : []), '-quiet', '-o', archivePath(w), src], { PLAKAR_PASSPHRASE: PASSPHRASE });
    if (r.code !== 0) throw new Error(`plakar ptar failed: ${r.stderr}`);
  }
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the schemas themselves', () => {
  it('compile in strict mode, one per record kind, each with its $id', () => {
    expect(schemaFiles).toEqual([
      'btree-node.json', 'btree-root.json', 'chunk.json', 'common.json', 'configuration.json', 'entry.json', 'error-entry.json',
      'fileinfo.json', 'object.json', 'snapshot-header.json', 'source.json', 'summary.json', 'xattr-entry.json',
    ]);
    for (const f of schemaFiles) {
      const s = JSON.parse(readFileSync(join(SCHEMA_DIR, f), 'utf8')) as { $id: string; $schema: string };
      expect(s.$id).toBe(`${BASE}${f}`);
      expect(s.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      if (f !== 'common.json') expect(typeof validator(f.replace(/\.json$/, ''))).toBe('function');
    }
  });

  it('close every record: an object schema with properties forbids additional properties', () => {
    const walk = (node: unknown, path: string): void => {
      if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${path}/${i}`));
      if (!node || typeof node !== 'object') return;
      const o = node as Record<string, unknown>;
      const conditional = /\/(if|then|else|allOf\/\d+)(\/|$)/.test(path);
      if ('properties' in o && !conditional) expect(o.additionalProperties, path).toBe(false);
      for (const [k, v] of Object.entries(o)) if (k !== 'properties') walk(v, `${path}/${k}`);
      if ('properties' in o) for (const [k, v] of Object.entries(o.properties as object)) walk(v, `${path}/properties/${k}`);
    };
    for (const f of schemaFiles) walk(JSON.parse(readFileSync(join(SCHEMA_DIR, f), 'utf8')), f);
  });
});

describe('the JSON view', () => {
  it('maps msgpack values as schema/README.md says', () => {
    // d6/d7/c7 timestamps, bin, 64-bit integers inside and beyond the safe range, nil
    const bytes = Buffer.from(
      '88' +
        'a1' + '61' + 'd6ff67760225' +
        'a1' + '62' + 'd7ff106bf0446b026824' +
        'a1' + '63' + 'c70cff' + '00000000' + 'ffffffffffffffff' +
        'a1' + '64' + 'c403010203' +
        'a1' + '65' + 'cf0000000000000010' +
        'a1' + '66' + 'cfffffffffffffffff' +
        'a1' + '67' + 'd38000000000000000' +
        'a1' + '68' + 'c0',
      'hex',
    );
    expect(jsonView(bytes)).toEqual({
      a: { $time: { sec: 1735787045, nsec: 0 } },
      b: { $time: { sec: 1795319844, nsec: 68877329 } },
      c: { $time: { sec: -1, nsec: 0 } },
      d: { $bin: '010203' },
      e: 16,
      f: '18446744073709551615',
      g: '-9223372036854775808',
      h: null,
    });
  });

  it('64-bit ranges are exact at their bounds', () => {
    const u64 = { $ref: 'common.json#/$defs/uint64' };
    const i64 = { $ref: 'common.json#/$defs/int64' };
    const v = (s: object) => ajv.compile({ $id: `${BASE}probe-${Math.random()}.json`, ...s });
    const vu = v(u64);
    const vi = v(i64);
    expect([vu(0), vu(Number.MAX_SAFE_INTEGER), vu('18446744073709551615'), vu('9007199254740992')]).toEqual([true, true, true, true]);
    expect([vu(-1), vu('18446744073709551616'), vu('99999999999999999999'), vu(1.5), vu('0')]).toEqual([false, false, false, false, false]);
    expect([vi('-9223372036854775808'), vi('9223372036854775807'), vi(-5)]).toEqual([true, true, true]);
    expect([vi('-9223372036854775809'), vi('9223372036854775808')]).toEqual([false, false]);
  });
});

describe.each([...FIXTURES, ...WRITTEN])('%s', (name) => {
  it('every msgpack record validates: configuration, blobs of types 5, 7, 10-21, dirpack entries', async () => {
    const repo = await Repository.open(await PtarStore.open(archivePath(name)), async (n) => (n === 1 ? PASSPHRASE : null));
    try {
      const raw = await repo.store.getConfig();
      const cfg = jsonView(raw.subarray(16, raw.length - 32)) as Json;
      check('configuration', cfg, `${name} configuration`);
      samples.set(repo.encrypted ? 'configuration-encrypted' : 'configuration', cfg);
      const count = (s: string) => exercised.set(s, (exercised.get(s) ?? 0) + 1);
      count('configuration');
      for (const [type, schema] of Object.entries(BY_TYPE)) {
        for (const mac of repo.index.list(Number(type))) {
          const view = jsonView(await repo.getBlob(Number(type), mac)) as Json;
          check(schema, view, `${name} blob type ${type}`);
          count(schema);
          if (schema === 'btree-node' && Array.isArray((view as { pointers: Json }).pointers)) count('btree-node-internal');
          if (schema === 'btree-node' && (view as { next?: Json }).next !== undefined) count('btree-node-chained-leaf');
          if (!samples.has(`${schema}:${type}`)) samples.set(`${schema}:${type}`, view);
        }
      }
      // The entries inside dirpack frames are the same records.
      for (const id of repo.index.snapshots()) {
        const src = parseHeader(await repo.getBlob(RT.SNAPSHOT, id)).sources[0]!;
        const ix = src.indexes.find((i) => i.name === 'dirpack');
        if (!ix) continue;
        const tree = new BTree(async () => parseRoot(await repo.getBlob(RT.BTREE_ROOT, ix.value), 'root').root, async (m) => parseNode(await repo.getBlob(RT.BTREE_NODE, m), 'node'), compareBytes);
        for await (const [, objectMac] of tree.scan()) {
          const obj = parseObject(await repo.getBlob(RT.OBJECT, objectMac));
          const r = new ByteReader(Buffer.concat(await Promise.all(obj.chunks.map((c) => repo.getBlob(RT.CHUNK, c.contentMac)))), 'dirpack');
          while (r.remaining > 0) {
            r.u8();
            const len = r.u32();
            check('entry', jsonView(r.bytes(len - 32)), `${name} dirpack entry`);
            r.bytes(32);
            count('dirpack-entry');
          }
        }
      }
    } finally {
      await repo.close();
    }
  });
});

describe('coverage and negative cases', () => {
  it('real data exercised every record schema (error entries: none in the archives, see below)', () => {
    for (const s of ['configuration', 'snapshot-header', 'object', 'btree-root', 'btree-node', 'entry', 'xattr-entry', 'summary', 'dirpack-entry']) {
      expect(exercised.get(s) ?? 0, s).toBeGreaterThan(0);
    }
    // internal B-tree nodes (pointers, no values) and chained leaves come from many-enc and the written archives
    expect(exercised.get('btree-node-internal') ?? 0).toBeGreaterThan(0);
    expect(exercised.get('btree-node-chained-leaf') ?? 0).toBeGreaterThan(0);
  });

  it('an error entry as Kloset writes it validates', () => {
    check('error-entry', jsonView(serializeErrorItem({ name: '/etc/shadow', error: 'permission denied' })), 'error entry');
    expect(fails('error-entry', { version: 65536, name: '/x' })).toBe(true);
    expect(fails('error-entry', { version: 65536, name: '/x', error: 'e', path: '/x' })).toBe(true);
  });

  const entry = (): Record<string, Json> => clone(samples.get(`entry:${RT.VFS_ENTRY}`)) as Record<string, Json>;

  it('a record with a field the schema does not know fails (decoded from real bytes, re-encoded)', async () => {
    const repo = await Repository.open(await PtarStore.open(fixture('tiny-plain')));
    try {
      const [mac] = [...repo.index.list(RT.VFS_ENTRY)];
      const bytes = await repo.getBlob(RT.VFS_ENTRY, mac!);
      check('entry', jsonView(bytes), 'real entry');
      const m = decode(bytes) as Record<string, unknown>;
      m.inode_generation = 7;
      expect(fails('entry', jsonView(encode(m)))).toBe(true);
      const fi = decode(bytes) as { file_info: Record<string, unknown> };
      fi.file_info.birth_time = 0;
      expect(fails('entry', jsonView(encode(fi)))).toBe(true);
    } finally {
      await repo.close();
    }
    const e = entry();
    e.Object = e.object!;
    expect(fails('entry', e)).toBe(true);
  });

  it('a record missing a required field fails', () => {
    for (const k of ['version', 'parent_path', 'file_info', 'summary', 'object']) {
      const e = entry();
      delete e[k];
      expect(fails('entry', e), k).toBe(true);
    }
    const e = entry();
    delete (e.file_info as Record<string, Json>).nlink;
    expect(fails('entry', e)).toBe(true);
    const h = clone(samples.get(`snapshot-header:${RT.SNAPSHOT}`)) as Record<string, Json>;
    check('snapshot-header', h, 'header');
    delete h.sources;
    expect(fails('snapshot-header', h)).toBe(true);
    const c = clone(samples.get('configuration')) as Record<string, Json>;
    delete c.Encryption; // nil is required to be written, not left out
    expect(fails('configuration', c)).toBe(true);
    const r = clone(samples.get(`btree-root:${RT.VFS_BTREE}`)) as Record<string, Json>;
    delete r.Root;
    expect(fails('btree-root', r)).toBe(true);
  });

  it('a value outside its Go type fails (widths, lengths, forms)', () => {
    const with_ = (f: (e: Record<string, Json>) => void): Record<string, Json> => {
      const e = entry();
      f(e);
      return e;
    };
    const fi = (e: Record<string, Json>) => e.file_info as Record<string, Json>;
    expect(fails('entry', with_((e) => (fi(e).nlink = 70000)))).toBe(true); // uint16
    expect(fails('entry', with_((e) => (fi(e).mode = -1)))).toBe(true); // uint32
    expect(fails('entry', with_((e) => (fi(e).mode = 4294967296)))).toBe(true);
    expect(fails('entry', with_((e) => (fi(e).uid = '18446744073709551616')))).toBe(true); // uint64
    expect(fails('entry', with_((e) => (fi(e).size = 1.5)))).toBe(true); // int64
    expect(fails('entry', with_((e) => (e.object = { $bin: '00'.repeat(31) })))).toBe(true); // [32]byte
    expect(fails('entry', with_((e) => (e.object = '00'.repeat(32))))).toBe(true); // not bin
    expect(fails('entry', with_((e) => (fi(e).mod_time = { $time: { sec: 0, nsec: 1_000_000_000 } })))).toBe(true);
    expect(fails('entry', with_((e) => (fi(e).mod_time = 1735787045)))).toBe(true); // not a timestamp
    expect(fails('entry', with_((e) => (e.content_type = '')))).toBe(true); // omitempty: never empty
    expect(fails('entry', with_((e) => (e.chunks = 0)))).toBe(true);
    expect(fails('entry', with_((e) => (e.extended_attributes = [])))).toBe(true);
    expect(fails('entry', with_((e) => (e.summary = {})))).toBe(true); // below is required
    const x = clone(samples.get(`xattr-entry:${RT.XATTR_ENTRY}`)) as Record<string, Json>;
    check('xattr-entry', x, 'xattr');
    x.type = 256; // uint8
    expect(fails('xattr-entry', x)).toBe(true);
    const c = clone(samples.get('configuration-encrypted')) as Record<string, Record<string, Json>>;
    check('configuration', c, 'configuration');
    const kdf = () => (c.Encryption!.KDFParams as Record<string, Record<string, Json>>);
    kdf().argon2id!.Threads = 256; // uint8
    expect(fails('configuration', c)).toBe(true);
    kdf().argon2id!.Threads = 1;
    check('configuration', c, 'configuration');
    c.Encryption!.Canary = { $bin: '00'.repeat(99) }; // AES256-KW canary is 100 bytes
    expect(fails('configuration', c)).toBe(true);
    const c2 = clone(samples.get('configuration-encrypted')) as Record<string, Record<string, Json>>;
    const k2 = c2.Encryption!.KDFParams as Record<string, Json>;
    k2.scrypt = { SaltSize: 16, N: 32768, R: 8, P: 1, KeyLen: 32 }; // two KDF sub-maps
    expect(fails('configuration', c2)).toBe(true);
    const c3 = clone(samples.get('configuration')) as Record<string, Record<string, Json>>;
    c3.Hashing!.Algorithm = 'MD5';
    expect(fails('configuration', c3)).toBe(true);
    const c4 = clone(samples.get('configuration')) as Record<string, Record<string, Json>>;
    c4.Packfile!.MaxSize = '18446744073709551616';
    expect(fails('configuration', c4)).toBe(true);
    c4.Packfile!.MaxSize = '18446744073709551615';
    check('configuration', c4, 'configuration');
    const r = clone(samples.get(`btree-root:${RT.VFS_BTREE}`)) as Record<string, Json>;
    r.Order = 2;
    expect(fails('btree-root', r)).toBe(true);
    const h = clone(samples.get(`snapshot-header:${RT.SNAPSHOT}`)) as Record<string, Json>;
    h.replicas = 4294967296;
    expect(fails('snapshot-header', h)).toBe(true);
    const s = clone(samples.get(`summary:${RT.VFS_SUMMARY}`)) as Record<string, Record<string, Json>>;
    s.below!.errors = -1;
    expect(fails('summary', s)).toBe(true);
  });
});
