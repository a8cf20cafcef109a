import { decode } from '@msgpack/msgpack';
import { afterAll, describe, expect, it } from 'vitest';
import { bytesEqual, toHex } from '../format/binary.js';
import { GoPack, packedStr, utf8Length } from '../format/codec/gopack.js';
import { unpack } from '../format/codec/msgpack.js';
import { GoTime } from '../format/gotime.js';
import { readConfiguration, Repository } from '../format/repository.js';
import { isContentAddressed, resourceName, RT } from '../format/resources.js';
import { parseNode, parseRoot } from '../format/snapshot/btree.js';
import { parseEntry, parseErrorItem, parseObject, parseXattr } from '../format/snapshot/entry.js';
import { parseHeader } from '../format/snapshot/header.js';
import {
  serializeBTreeNode,
  serializeBTreeRoot,
  serializeConfiguration,
  serializeEntry,
  serializeErrorItem,
  serializeHeader,
  serializeObject,
  serializeSummary,
  serializeXattr,
  type KlosetFormat,
} from '../format/snapshot/serialize.js';
import { parseSummary } from '../format/snapshot/summary.js';
import { STATE_VERSION_1_0 } from '../format/state.js';
import { parseConfiguration } from '../format/storage/config.js';
import { WRAPPER_HEADER_SIZE, WRAPPER_MAC_SIZE } from '../format/storage/wrapper.js';
import { PtarStore } from '../format/store/ptar.js';
import { FIXTURES, fixture, PASSPHRASE } from './helpers.js';

// ---------------------------------------------------------------------------------------------
// gopack: the encoding rules of vmihailenco/msgpack v5.4.1 (default encoder)
// ---------------------------------------------------------------------------------------------

function hex(fn: (w: GoPack) => unknown): string {
  const w = new GoPack(16);
  fn(w);
  return toHex(w.finish());
}

const h = (s: string): string => s.replace(/\s+/g, '');

describe('gopack: fixed-width Go integer types keep their width', () => {
  it('uint8 / uint16 / uint32 / uint64', () => {
    expect(hex((w) => w.u8(0))).toBe('cc00');
    expect(hex((w) => w.u8(255))).toBe('ccff');
    expect(hex((w) => w.u16(0))).toBe('cd0000');
    expect(hex((w) => w.u16(65535))).toBe('cdffff');
    expect(hex((w) => w.u32(0))).toBe('ce00000000');
    expect(hex((w) => w.u32(65536))).toBe('ce00010000');
    expect(hex((w) => w.u32(0xffffffff))).toBe('ceffffffff');
    expect(hex((w) => w.u64(0))).toBe('cf0000000000000000');
    expect(hex((w) => w.u64(0xffffffff + 1))).toBe('cf0000000100000000');
    expect(hex((w) => w.u64(Number.MAX_SAFE_INTEGER))).toBe('cf001fffffffffffff');
    expect(hex((w) => w.u64(2n ** 64n - 1n))).toBe('cfffffffffffffffff');
    expect(() => hex((w) => w.u8(256))).toThrow(RangeError);
    expect(() => hex((w) => w.u16(-1))).toThrow(RangeError);
    expect(() => hex((w) => w.u32(2 ** 32))).toThrow(RangeError);
    expect(() => hex((w) => w.u64(2n ** 64n))).toThrow(RangeError);
    expect(() => hex((w) => w.u64(1.5))).toThrow(RangeError);
  });

  it('int8 / int16 / int32 / int64 / time.Duration', () => {
    expect(hex((w) => w.i8(-1))).toBe('d0ff');
    expect(hex((w) => w.i8(127))).toBe('d07f');
    expect(hex((w) => w.i16(-32768))).toBe('d18000');
    expect(hex((w) => w.i32(-1))).toBe('d2ffffffff');
    expect(hex((w) => w.i32(0x7fffffff))).toBe('d27fffffff');
    expect(hex((w) => w.i64(0))).toBe('d30000000000000000');
    expect(hex((w) => w.i64(-1))).toBe('d3ffffffffffffffff');
    expect(hex((w) => w.i64(-1n))).toBe('d3ffffffffffffffff');
    expect(hex((w) => w.i64(-(2 ** 32)))).toBe('d3ffffffff00000000');
    expect(hex((w) => w.i64(-Number.MAX_SAFE_INTEGER))).toBe(hex((w) => w.i64(-BigInt(Number.MAX_SAFE_INTEGER))));
    expect(hex((w) => w.i64(-(2n ** 63n)))).toBe('d38000000000000000');
    expect(hex((w) => w.i64(2n ** 63n - 1n))).toBe('d37fffffffffffffff');
    expect(hex((w) => w.duration(1_500_000_000n))).toBe('d30000000059682f00');
    expect(() => hex((w) => w.i64(2n ** 63n))).toThrow(RangeError);
    expect(() => hex((w) => w.i32(2 ** 31))).toThrow(RangeError);
  });
});

describe('gopack: Go int/uint use the shortest form (EncodeInt / EncodeUint)', () => {
  const cases: [number | bigint, string][] = [
    [0, '00'],
    [1, '01'],
    [127, '7f'],
    [128, 'cc80'],
    [255, 'ccff'],
    [256, 'cd0100'],
    [65535, 'cdffff'],
    [65536, 'ce00010000'],
    [131072, 'ce00020000'],
    [0xffffffff, 'ceffffffff'],
    [0x100000000, 'cf0000000100000000'],
    [2n ** 63n - 1n, 'cf7fffffffffffffff'],
    [-1, 'ff'],
    [-32, 'e0'],
    [-33, 'd0df'],
    [-128, 'd080'],
    [-129, 'd1ff7f'],
    [-32768, 'd18000'],
    [-32769, 'd2ffff7fff'],
    [-(2 ** 31), 'd280000000'],
    [-(2 ** 31) - 1, 'd3ffffffff7fffffff'],
    [-(2n ** 63n), 'd38000000000000000'],
  ];
  for (const [v, want] of cases) {
    it(`int(${v}) = ${want}`, () => {
      expect(hex((w) => w.int(v))).toBe(want);
      expect(hex((w) => w.int(typeof v === 'bigint' ? v : BigInt(v)))).toBe(want);
      if (v >= 0) expect(hex((w) => w.uint(v))).toBe(want);
    });
  }
  it('uint(2^64-1)', () => expect(hex((w) => w.uint(2n ** 64n - 1n))).toBe('cfffffffffffffffff'));
  it('rejects out-of-range', () => {
    expect(() => hex((w) => w.uint(-1))).toThrow(RangeError);
    expect(() => hex((w) => w.int(2n ** 63n))).toThrow(RangeError);
    expect(() => hex((w) => w.int(2 ** 60))).toThrow(RangeError); // not a safe integer
  });
});

describe('gopack: floats, nil, bool', () => {
  it('float64 is always cb, float32 ca', () => {
    expect(hex((w) => w.f64(0))).toBe('cb0000000000000000');
    expect(hex((w) => w.f64(1))).toBe('cb3ff0000000000000');
    expect(hex((w) => w.f64(-2.5))).toBe('cbc004000000000000');
    expect(hex((w) => w.f32(1))).toBe('ca3f800000');
  });
  it('nil and bool', () => {
    expect(hex((w) => w.nil())).toBe('c0');
    expect(hex((w) => w.bool(false).bool(true))).toBe('c2c3');
  });
});

describe('gopack: strings (fixstr / str8 / str16 / str32)', () => {
  const cases: [number, string][] = [
    [0, 'a0'],
    [1, 'a1'],
    [31, 'bf'],
    [32, 'd920'],
    [255, 'd9ff'],
    [256, 'da0100'],
    [65535, 'daffff'],
    [65536, 'db00010000'],
  ];
  for (const [n, prefix] of cases) {
    it(`length ${n} → ${prefix}`, () => {
      const s = 'x'.repeat(n);
      const out = hex((w) => w.str(s));
      expect(out.slice(0, prefix.length)).toBe(prefix);
      expect(out.length).toBe(prefix.length + 2 * n);
      expect(decode(Buffer.from(out, 'hex'))).toBe(s);
    });
  }
  it('counts UTF-8 bytes, not UTF-16 units', () => {
    expect(hex((w) => w.str('é'))).toBe('a2c3a9');
    expect(hex((w) => w.str('🎉'))).toBe('a4f09f8e89');
    expect(hex((w) => w.str('日本語'))).toBe('a9e697a5e69cace8aa9e');
    expect(hex((w) => w.str('\ud800'))).toBe('a3efbfbd'); // lone surrogate → U+FFFD, like TextEncoder
    // 11 three-byte characters = 33 bytes: str8 although the JS string has 11 units
    expect(hex((w) => w.str('é'.repeat(16))).slice(0, 4)).toBe('d920');
    expect(utf8Length('a€🎉\udc00')).toBe(1 + 3 + 4 + 3);
  });
  it('raw string bytes', () => expect(hex((w) => w.strBytes(new Uint8Array([0xff, 0xfe])))).toBe('a2fffe'));
  it('pre-encoded keys', () => expect(toHex(packedStr('contentMAC'))).toBe('aa' + Buffer.from('contentMAC').toString('hex')));
});

describe('gopack: []byte, [N]byte', () => {
  const cases: [number, string][] = [
    [0, 'c400'],
    [255, 'c4ff'],
    [256, 'c50100'],
    [65535, 'c5ffff'],
    [65536, 'c600010000'],
  ];
  for (const [n, prefix] of cases) {
    it(`length ${n} → ${prefix}`, () => {
      const out = hex((w) => w.bin(new Uint8Array(n).fill(7)));
      expect(out.slice(0, prefix.length)).toBe(prefix);
      expect(out.length).toBe(prefix.length + 2 * n);
    });
  }
  it('nil []byte is c0, empty []byte is c4 00', () => {
    expect(hex((w) => w.bin(null))).toBe('c0');
    expect(hex((w) => w.bin(new Uint8Array(0)))).toBe('c400');
  });
  it('[32]byte is always a 32-byte bin, zero-padded, never nil', () => {
    expect(hex((w) => w.fixedBin(new Uint8Array(32), 32))).toBe('c420' + '00'.repeat(32));
    expect(hex((w) => w.fixedBin(null, 32))).toBe('c420' + '00'.repeat(32));
    expect(hex((w) => w.fixedBin(new Uint8Array([1, 2]), 16))).toBe('c410' + '0102' + '00'.repeat(14));
    expect(() => hex((w) => w.fixedBin(new Uint8Array(33), 32))).toThrow(RangeError);
  });
});

describe('gopack: arrays and maps', () => {
  const cases: [number, string, string][] = [
    [0, '90', '80'],
    [15, '9f', '8f'],
    [16, 'dc0010', 'de0010'],
    [65535, 'dcffff', 'deffff'],
    [65536, 'dd00010000', 'df00010000'],
  ];
  for (const [n, arr, map] of cases) {
    it(`${n} elements`, () => {
      expect(hex((w) => w.array(n))).toBe(arr);
      expect(hex((w) => w.map(n))).toBe(map);
    });
  }
  it('nil slice is c0, empty slice is 90', () => {
    expect(hex((w) => w.strArray(null))).toBe('c0');
    expect(hex((w) => w.strArray([]))).toBe('90');
    expect(hex((w) => w.strArray(['a', 'bc']))).toBe('92a161a26263');
  });
});

describe('gopack: time.Time as timestamp extension -1', () => {
  const ts = (sec: number, nsec: number): string => hex((w) => w.time(new GoTime(sec, nsec)));
  const be64 = (v: bigint): string => BigInt.asUintN(64, v).toString(16).padStart(16, '0');
  it('32-bit form: nsec == 0 and 0 <= sec < 2^32', () => {
    expect(ts(0, 0)).toBe('d6ff00000000');
    expect(ts(1735787045, 0)).toBe('d6ff' + (1735787045).toString(16).padStart(8, '0'));
    expect(ts(2 ** 32 - 1, 0)).toBe('d6ffffffffff');
  });
  it('64-bit form: nsec << 34 | sec when 0 <= sec < 2^34', () => {
    expect(ts(2 ** 32, 0)).toBe('d7ff' + be64(2n ** 32n));
    expect(ts(1, 1)).toBe('d7ff' + be64((1n << 34n) | 1n));
    expect(ts(1735787045, 123456789)).toBe('d7ff' + be64((123456789n << 34n) | 1735787045n));
    expect(ts(2 ** 34 - 1, 999_999_999)).toBe('d7ff' + be64((999_999_999n << 34n) | (2n ** 34n - 1n)));
  });
  it('96-bit form: before 1970 or from 2^34 seconds on', () => {
    expect(ts(2 ** 34, 0)).toBe('c70cff' + '00000000' + be64(2n ** 34n));
    expect(ts(2 ** 40, 5)).toBe('c70cff' + '00000005' + be64(2n ** 40n));
    expect(ts(-1, 0)).toBe('c70cff' + '00000000' + 'ffffffffffffffff');
    expect(ts(-1, 999_999_999)).toBe('c70cff' + '3b9ac9ff' + 'ffffffffffffffff');
    // Go's zero time.Time: 0001-01-01T00:00:00Z
    expect(ts(-62135596800, 0)).toBe('c70cff' + '00000000' + be64(-62135596800n));
  });
  it('round-trips through the reader', () => {
    for (const [sec, nsec] of [[0, 0], [2 ** 32 - 1, 0], [2 ** 32, 1], [2 ** 34 - 1, 999_999_999], [2 ** 34, 0], [-1, 1], [-62135596800, 0]] as const) {
      const w = new GoPack();
      const t = unpack(w.time(new GoTime(sec, nsec)).finish(), 'time') as GoTime;
      expect([t.sec, t.nsec]).toEqual([sec, nsec]);
    }
  });
  it('rejects invalid nanoseconds', () => expect(() => ts(0, 1_000_000_000)).toThrow(RangeError));
});

describe('gopack: buffer', () => {
  it('grows, and finish() returns a copy and empties the writer', () => {
    const w = new GoPack(16);
    const big = 'y'.repeat(100_000);
    w.array(3).str(big).u64(1n).bin(new Uint8Array(70_000));
    const a = w.finish();
    expect(a.length).toBe(1 + 5 + 100_000 + 9 + 5 + 70_000);
    expect(w.length).toBe(0);
    const b = w.nil().finish();
    expect(toHex(b)).toBe('c0');
    expect(a[0]).toBe(0x93);
    expect((decode(a) as unknown[])[0]).toBe(big);
  });
  it('results of successive finish() calls never alias', () => {
    const w = new GoPack();
    const results = Array.from({ length: 2000 }, (_, i) => w.str('r'.repeat(i % 300)).finish());
    for (const r of results) r.fill(0x55, 1); // scribbling on one result must not touch the others
    results.forEach((r, i) => {
      expect(r.length).toBe((i % 300 < 32 ? 1 : i % 300 < 256 ? 2 : 3) + (i % 300));
      expect(r[0]).not.toBe(0x55);
    });
    const big = w.bin(new Uint8Array(10_000).fill(1)).finish();
    expect(big.byteOffset).toBe(0);
    expect(big.length).toBe(10_003);
  });
});

// ---------------------------------------------------------------------------------------------
// record serializers: hand-checked layouts and records absent from the fixtures
// ---------------------------------------------------------------------------------------------

const mac = (b: number): Uint8Array => new Uint8Array(32).fill(b);
const enc = (s: string): string => Buffer.from(s).toString('hex');
const key = (s: string): string => toHex(packedStr(s));

describe('record serializers: layouts', () => {
  it('empty B-tree leaf and root record (the documented test vectors)', () => {
    expect(toHex(serializeBTreeNode({ keys: [], pointers: [], values: [], next: null }))).toBe(
      h(`84 ${key('version')} ce00000000 ${key('keys')} c0 ${key('pointers')} c0 ${key('values')} c0`),
    );
    const root = serializeBTreeRoot({ order: 50, root: mac(0xab) });
    expect(root.length).toBe(67);
    expect(toHex(root)).toBe(h(`84 ${key('Version')} ce00000000 ${key('Order')} 32 ${key('Count')} 00 ${key('Root')} c420 ${'ab'.repeat(32)}`));
  });

  it('error item (no fixture has one)', () => {
    const bytes = serializeErrorItem({ name: '/etc/shadow', error: 'permission denied' });
    expect(toHex(bytes)).toBe(h(`83 ${key('version')} ce00010000 ${key('name')} ab${enc('/etc/shadow')} ${key('error')} b1${enc('permission denied')}`));
    expect(parseErrorItem(bytes)).toEqual({ name: '/etc/shadow', error: 'permission denied' });
  });

  it('entry: Windows fields, classifications, custom metadata and tags in Go order', () => {
    const fileInfo = { name: 'f', size: 1, mode: 0o644, modTime: new GoTime(0, 0), dev: 1n, ino: 2n, uid: 0, gid: 0, nlink: 1, username: '', groupname: '' };
    const bytes = serializeEntry({
      parentPath: '/',
      fileInfo,
      summary: null,
      object: mac(1),
      alternateDataStreams: ['s'],
      securityDescriptor: new Uint8Array([9]),
      fileAttributes: 32,
      extendedAttributes: ['user.a'],
      classifications: [{ analyzer: 'x', classes: ['c'], scores: [{ key: 'k', value: 0.5 }] }],
      customMetadata: [{ key: 'm', value: new Uint8Array([1]) }],
      tags: ['t'],
    });
    const m = decode(bytes) as Record<string, unknown>;
    expect(Object.keys(m)).toEqual([
      'version', 'parent_path', 'file_info', 'summary', 'object', 'alternate_data_streams', 'security_descriptor',
      'file_attributes', 'extended_attributes', 'classifications', 'custom_metadata', 'tags',
    ]);
    expect(m.classifications).toEqual([{ analyzer: 'x', classes: ['c'], scores: [{ key: 'k', value: 0.5 }] }]);
    // empty/zero omitempty fields vanish; tags [] (what NewEntry sets) is omitted
    const plain = decode(serializeEntry({ parentPath: '/', fileInfo, summary: null, object: mac(0), tags: [], extendedAttributes: [], chunks: 0n })) as Record<string, unknown>;
    expect(Object.keys(plain)).toEqual(['version', 'parent_path', 'file_info', 'summary', 'object']);
    expect(Object.keys((plain.file_info as Record<string, unknown>))).toEqual([
      'name', 'size', 'mode', 'mod_time', 'dev', 'ino', 'uid', 'gid', 'nlink', 'username', 'groupname', 'flags',
    ]);
  });

  it('summary: directory omitted when all zero, below.errors always written', () => {
    expect(toHex(serializeSummary({ directory: {}, below: {} }))).toBe(h(`81 ${key('below')} 81 ${key('errors')} cf${'00'.repeat(8)}`));
    const s = serializeSummary({ directory: { files: 2, min_mod_time: -5, avg_entropy: 0.5 }, below: { errors: 1 } });
    expect(toHex(s)).toBe(
      h(`82 ${key('directory')} 83 ${key('files')} cf0000000000000002 ${key('min_mod_time')} d3fffffffffffffffb ${key('avg_entropy')} cb3fe0000000000000
          ${key('below')} 81 ${key('errors')} cf0000000000000001`),
    );
    expect(parseSummary(unpack(s, 's'), 's').directory.min_mod_time).toBe(-5);
  });

  it('object: no chunks is nil; version/flags default; content type and entropy omitempty', () => {
    const bytes = serializeObject({ contentMac: mac(2), chunks: [] });
    expect(toHex(bytes)).toBe(h(`84 ${key('version')} ce00010000 ${key('contentMAC')} c420${'02'.repeat(32)} ${key('chunks')} c0 ${key('flags')} ce00000000`));
  });

  it('xattr', () => {
    const bytes = serializeXattr({ path: '/x', name: 'user.a', size: 3, type: 0, object: mac(3) });
    expect(parseXattr(bytes)).toEqual({ path: '/x', name: 'user.a', size: 3, type: 0, object: mac(3) });
    expect(toHex(bytes)).toContain(key('type') + 'cc00');
  });

  it('configuration: nil compression, scrypt and pbkdf2 KDF sub-maps', () => {
    const base = {
      timestamp: new GoTime(1, 2),
      repositoryId: new Uint8Array(16).fill(1),
      packfile: { minSize: 0n, avgSize: 0n, maxSize: 2n ** 64n - 1n },
      chunking: { algorithm: 'fastcdc-v1.0.0', minSize: 1, normalSize: 2, maxSize: 3 },
      hashing: { algorithm: 'SHA256', bits: 256 },
      compression: null,
    };
    const scrypt = {
      ...base,
      encryption: {
        subKeyAlgorithm: 'AES256-KW', dataAlgorithm: 'AES256-GCM-SIV', chunkSize: 65536,
        kdfParams: { kdf: 'SCRYPT', salt: new Uint8Array(16), scrypt: { saltSize: 16, n: 32768, r: 8, p: 1, keyLen: 32 } },
        canary: new Uint8Array(100),
      },
    };
    const b = serializeConfiguration(scrypt);
    expect(toHex(b)).toContain(h(`${key('Compression')} c0`));
    expect(toHex(b)).toContain(h(`${key('scrypt')} 85 ${key('SaltSize')} ce00000010 ${key('N')} cd8000 ${key('R')} 08 ${key('P')} 01 ${key('KeyLen')} 20`));
    const back = parseConfiguration(b, 0x10000);
    expect(back.encryption!.kdfParams.scrypt).toEqual({ saltSize: 16, n: 32768, r: 8, p: 1, keyLen: 32 });
    expect(serializeConfiguration(back)).toEqual(b);
    const pbkdf2 = { ...scrypt, encryption: { ...scrypt.encryption, kdfParams: { kdf: 'PBKDF2', salt: new Uint8Array(16), pbkdf2: { saltSize: 16, iterations: 100000, keyLen: 32, hashing: 'SHA256' } } } };
    const p = serializeConfiguration(pbkdf2);
    expect(toHex(p)).toContain(h(`${key('pbkdf2')} 84 ${key('SaltSize')} ce00000010 ${key('Iterations')} ce000186a0 ${key('KeyLen')} 20 ${key('Hashing')} a6${enc('SHA256')}`));
    expect(serializeConfiguration(parseConfiguration(p, 0x10000))).toEqual(p);
    expect(toHex(serializeConfiguration({ ...base, encryption: null })).endsWith(h(`${key('Encryption')} c0`))).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// byte-exactness on every record of every real archive
// ---------------------------------------------------------------------------------------------

const TYPES = [
  RT.SNAPSHOT, RT.OBJECT, RT.VFS_BTREE, RT.VFS_NODE, RT.VFS_ENTRY, RT.ERROR_BTREE, RT.ERROR_NODE, RT.ERROR_ENTRY,
  RT.XATTR_BTREE, RT.XATTR_NODE, RT.XATTR_ENTRY, RT.BTREE_ROOT, RT.BTREE_NODE, RT.VFS_SUMMARY,
] as const;

function reserialize(type: number, bytes: Uint8Array, blobMac: Uint8Array, format: KlosetFormat): Uint8Array {
  const what = resourceName(type);
  switch (type) {
    case RT.SNAPSHOT:
      return serializeHeader(parseHeader(bytes), { format });
    case RT.OBJECT:
      return serializeObject(parseObject(bytes));
    case RT.VFS_BTREE:
    case RT.ERROR_BTREE:
    case RT.XATTR_BTREE:
    case RT.BTREE_ROOT:
      return serializeBTreeRoot(parseRoot(bytes, what));
    case RT.VFS_NODE:
    case RT.ERROR_NODE:
    case RT.XATTR_NODE:
    case RT.BTREE_NODE:
      return serializeBTreeNode(parseNode(bytes, what));
    case RT.VFS_ENTRY:
      return serializeEntry(parseEntry(bytes, blobMac));
    case RT.ERROR_ENTRY:
      return serializeErrorItem(parseErrorItem(bytes));
    case RT.XATTR_ENTRY:
      return serializeXattr(parseXattr(bytes));
    case RT.VFS_SUMMARY:
      return serializeSummary(parseSummary(unpack(bytes, what), what));
  }
  throw new Error(`no serializer for ${what}`);
}

const totals = new Map<string, number>();

describe('serializers reproduce every record of the real archives byte for byte', () => {
  for (const name of FIXTURES) {
    it(name, async () => {
      const repo = await Repository.open(await PtarStore.open(fixture(name)), async (n) => (n === 1 ? PASSPHRASE : null));
      try {
        // kloset v1.0 wrote state 1.0.0 and a snapshot header without dataset/data_classes
        const format: KlosetFormat = repo.states.every((s) => s.version === STATE_VERSION_1_0) ? '1.0' : '1.1';
        expect(format).toBe(name.startsWith('v10-') ? '1.0' : '1.1');

        const counts: Record<string, number> = {};
        const mismatches: string[] = [];
        for (const type of TYPES) {
          const label = `${resourceName(type)}(${type})`;
          counts[label] = 0;
          for (const blobMac of repo.index.list(type)) {
            const original = await repo.getBlob(type, blobMac);
            const ours = reserialize(type, original, blobMac, format);
            if (!bytesEqual(ours, original)) {
              mismatches.push(`${label} ${toHex(blobMac)}:\n  theirs ${toHex(original)}\n  ours   ${toHex(ours)}`);
            } else if (isContentAddressed(type) && !bytesEqual(repo.computeMac(ours), blobMac)) {
              mismatches.push(`${label} ${toHex(blobMac)}: MAC differs`);
            }
            if (type === RT.SNAPSHOT) {
              // the header layout really differs between the two kloset versions
              const other = serializeHeader(parseHeader(original), { format: format === '1.0' ? '1.1' : '1.0' });
              if (bytesEqual(other, original)) mismatches.push(`${label} ${toHex(blobMac)}: identical in both formats`);
            }
            counts[label]++;
          }
        }

        const { raw, config } = await readConfiguration(repo.store);
        const body = raw.subarray(WRAPPER_HEADER_SIZE, raw.length - WRAPPER_MAC_SIZE);
        const ours = serializeConfiguration(config);
        if (!bytesEqual(ours, body)) mismatches.push(`config:\n  theirs ${toHex(body)}\n  ours   ${toHex(ours)}`);
        counts['config'] = 1;

        expect(mismatches.slice(0, 5)).toEqual([]);
        // every blob of the listed types was checked
        let checked = 0;
        for (const type of TYPES) checked += [...repo.index.list(type)].length;
        expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(checked + 1);
        expect(counts[`${resourceName(RT.SNAPSHOT)}(${RT.SNAPSHOT})`]).toBeGreaterThan(0);
        expect(counts[`${resourceName(RT.VFS_ENTRY)}(${RT.VFS_ENTRY})`]).toBeGreaterThan(0);

        console.log(`${name} [format ${format}]: ${Object.entries(counts).map(([t, n]) => `${t}=${n}`).join(' ')}`);
        for (const [t, n] of Object.entries(counts)) totals.set(t, (totals.get(t) ?? 0) + n);
      } finally {
        await repo.close();
      }
    });
  }

  afterAll(() => {
    if (totals.size === 0) return;
    const all = [...totals.values()].reduce((a, b) => a + b, 0);
    console.log(`all fixtures, records verified byte-identical: ${[...totals].map(([t, n]) => `${t}=${n}`).join(' ')} (total ${all})`);
  });
});
