import { GoPack, packedStr } from '../codec/gopack.js';
import type { GoTime } from '../gotime.js';
import { BELOW_FIELDS, DIRECTORY_FIELDS, FLOAT_FIELDS } from './summary.js';

/*
 * Serializers for every Kloset record, byte-identical to what Go's msgpack.Marshal writes for the
 * kloset structs (v1.1.3, and v1.0.12 where it differs): keys are the msgpack tags (or Go field
 * names when untagged) in struct declaration order, integer widths follow the Go field types
 * (see codec/gopack.ts), and `omitempty` fields are dropped when Go's isEmptyValue says so: zero
 * numbers, false, empty strings/slices/maps, nil pointers. Fixed byte arrays ([32]byte MACs, uuids)
 * are never empty, so they are always written.
 *
 * The input types are structural supersets of the decoded records (Entry, ObjectRecord, Header…):
 * fields the decoders do not keep (record versions, flags, Windows fields…) are optional and
 * default to what Go writers put there. Slices that Go may write as nil take `null` (→ c0); an empty
 * array is written as Go's writers do for that field, documented on each type.
 */

/** versioning.Version "1.0.0" (major<<16 | minor<<8 | patch), the version of every record kind. */
export const VERSION_1_0_0 = 0x0001_0000;

/** Which kloset wrote the record, where the layouts differ (only the snapshot header does). */
export type KlosetFormat = '1.0' | '1.1';

type Int = number | bigint;

// ---- shared writer and pre-encoded keys ----

const shared = new GoPack(64 * 1024);

function run(fn: (w: GoPack) => void): Uint8Array {
  shared.reset();
  try {
    fn(shared);
    return shared.finish();
  } catch (e) {
    shared.reset();
    throw e;
  }
}

const keyCache = new Map<string, Uint8Array>();
function K(name: string): Uint8Array {
  let k = keyCache.get(name);
  if (!k) keyCache.set(name, (k = packedStr(name)));
  return k;
}

const k = {
  version: K('version'),
  name: K('name'),
  size: K('size'),
  mode: K('mode'),
  mod_time: K('mod_time'),
  dev: K('dev'),
  ino: K('ino'),
  uid: K('uid'),
  gid: K('gid'),
  nlink: K('nlink'),
  username: K('username'),
  groupname: K('groupname'),
  flags: K('flags'),
  parent_path: K('parent_path'),
  file_info: K('file_info'),
  summary: K('summary'),
  symlink_target: K('symlink_target'),
  object: K('object'),
  content_type: K('content_type'),
  entropy: K('entropy'),
  chunks: K('chunks'),
  alternate_data_streams: K('alternate_data_streams'),
  security_descriptor: K('security_descriptor'),
  file_attributes: K('file_attributes'),
  extended_attributes: K('extended_attributes'),
  classifications: K('classifications'),
  custom_metadata: K('custom_metadata'),
  tags: K('tags'),
  analyzer: K('analyzer'),
  classes: K('classes'),
  scores: K('scores'),
  probability: K('probability'),
  key: K('key'),
  value: K('value'),
  contentMAC: K('contentMAC'),
  length: K('length'),
  path: K('path'),
  type: K('type'),
  error: K('error'),
  directory: K('directory'),
  below: K('below'),
  keys: K('keys'),
  pointers: K('pointers'),
  values: K('values'),
  prev: K('prev'),
  next: K('next'),
  identifier: K('identifier'),
  timestamp: K('timestamp'),
  duration: K('duration'),
  identity: K('identity'),
  public_key: K('public_key'),
  category: K('category'),
  environment: K('environment'),
  perimeter: K('perimeter'),
  job: K('job'),
  replicas: K('replicas'),
  dataset: K('dataset'),
  data_classes: K('data_classes'),
  context: K('context'),
  sources: K('sources'),
  importer: K('importer'),
  origin: K('origin'),
  root: K('root'),
  xattrs: K('xattrs'),
  errors: K('errors'),
  indexes: K('indexes'),
};

function isZero(v: Int | undefined): boolean {
  return v === undefined || v === 0 || v === 0n;
}

// ---- summary (vfs.Summary: Directory + Below) ----

/** Counters by msgpack key (DIRECTORY_FIELDS / BELOW_FIELDS); missing ones are zero. */
export type CountersInput = Readonly<Record<string, Int | undefined>>;

export interface SummaryInput {
  directory: CountersInput;
  below: CountersInput;
}

const DIRECTORY_KEYS = DIRECTORY_FIELDS.map((f) => [f, K(f)] as const);
const BELOW_KEYS = BELOW_FIELDS.map((f) => [f, K(f)] as const);
const INT64_FIELDS = new Set(['min_mod_time', 'max_mod_time']);

/** Writes the fields of a Directory/Below struct (uint64 → cf, mod times int64 → d3, entropies float64 → cb). */
function writeCounters(w: GoPack, c: CountersInput, fields: readonly (readonly [string, Uint8Array])[], alwaysErrors: boolean): void {
  let n = 0;
  for (const [f] of fields) if (!isZero(c[f]) || (alwaysErrors && f === 'errors')) n++;
  w.map(n);
  for (const [f, key] of fields) {
    const v = c[f];
    if (isZero(v) && !(alwaysErrors && f === 'errors')) continue;
    w.raw(key);
    if (FLOAT_FIELDS.has(f)) w.f64(Number(v));
    else if (INT64_FIELDS.has(f)) w.i64(v ?? 0);
    else w.u64(v ?? 0);
  }
}

export function writeSummary(w: GoPack, s: SummaryInput): void {
  // Every Directory field is omitempty, so an all-zero Directory is an empty struct and omitted;
  // Below.errors is not omitempty, so Below is never empty.
  const hasDirectory = DIRECTORY_FIELDS.some((f) => !isZero(s.directory[f]));
  w.map(hasDirectory ? 2 : 1);
  if (hasDirectory) {
    w.raw(k.directory);
    writeCounters(w, s.directory, DIRECTORY_KEYS, false);
  }
  w.raw(k.below);
  writeCounters(w, s.below, BELOW_KEYS, true);
}

/** RT_VFS_SUMMARY blob. */
export function serializeSummary(s: SummaryInput): Uint8Array {
  return run((w) => writeSummary(w, s));
}

// ---- objects.FileInfo ----

export interface FileInfoInput {
  name: string;
  /** int64 */
  size: Int;
  /** Go fs.FileMode bits, uint32 */
  mode: number;
  modTime: GoTime;
  /** uint64 */
  dev: Int;
  ino: Int;
  uid: Int;
  gid: Int;
  /** uint16 */
  nlink: number;
  username: string;
  groupname: string;
  /** uint32, 0 unless given */
  flags?: number;
}

export function writeFileInfo(w: GoPack, fi: FileInfoInput): void {
  w.map(12);
  w.raw(k.name).str(fi.name);
  w.raw(k.size).i64(fi.size);
  w.raw(k.mode).u32(fi.mode >>> 0);
  w.raw(k.mod_time).time(fi.modTime);
  w.raw(k.dev).u64(fi.dev);
  w.raw(k.ino).u64(fi.ino);
  w.raw(k.uid).u64(fi.uid);
  w.raw(k.gid).u64(fi.gid);
  w.raw(k.nlink).u16(fi.nlink);
  w.raw(k.username).str(fi.username);
  w.raw(k.groupname).str(fi.groupname);
  w.raw(k.flags).u32(fi.flags ?? 0);
}

export function serializeFileInfo(fi: FileInfoInput): Uint8Array {
  return run((w) => writeFileInfo(w, fi));
}

// ---- vfs.Entry (RT_VFS_ENTRY) ----

/** vfs.Classification (entry side): analyzer, classes []string, scores []{key, value float64}. */
export interface EntryClassificationInput {
  analyzer: string;
  classes: readonly string[] | null;
  scores: readonly { key: string; value: number }[] | null;
}

/**
 * A VFS entry. Works for both formats: kloset v1.0 entries simply have no content type, entropy or
 * chunk count (all omitempty) and carry the directory summary inline; v1.1 entries have
 * `summary: null`. Every field after `object` is omitempty, so null, empty and zero are equivalent.
 */
export interface EntryInput {
  /** uint32, default 1.0.0 */
  version?: number;
  parentPath: string;
  fileInfo: FileInfoInput;
  /** *Summary, not omitempty: null → nil */
  summary: SummaryInput | null;
  symlinkTarget?: string;
  /** [32]byte, always written (all zero for non-regular files) */
  object: Uint8Array;
  contentType?: string;
  entropy?: number;
  /** uint64 */
  chunks?: Int;
  alternateDataStreams?: readonly string[] | null;
  securityDescriptor?: Uint8Array | null;
  /** uint32 */
  fileAttributes?: number;
  extendedAttributes?: readonly string[] | null;
  classifications?: readonly EntryClassificationInput[] | null;
  customMetadata?: readonly { key: string; value: Uint8Array | null }[] | null;
  tags?: readonly string[] | null;
}

function hasItems(a: { length: number } | null | undefined): a is { length: number } {
  return a !== null && a !== undefined && a.length > 0;
}

export function writeEntry(w: GoPack, e: EntryInput): void {
  const symlink = e.symlinkTarget ?? '';
  const contentType = e.contentType ?? '';
  const entropy = e.entropy ?? 0;
  const n =
    5 +
    (symlink !== '' ? 1 : 0) +
    (contentType !== '' ? 1 : 0) +
    (entropy !== 0 ? 1 : 0) +
    (isZero(e.chunks) ? 0 : 1) +
    (hasItems(e.alternateDataStreams) ? 1 : 0) +
    (hasItems(e.securityDescriptor) ? 1 : 0) +
    (isZero(e.fileAttributes) ? 0 : 1) +
    (hasItems(e.extendedAttributes) ? 1 : 0) +
    (hasItems(e.classifications) ? 1 : 0) +
    (hasItems(e.customMetadata) ? 1 : 0) +
    (hasItems(e.tags) ? 1 : 0);
  w.map(n);
  w.raw(k.version).u32(e.version ?? VERSION_1_0_0);
  w.raw(k.parent_path).str(e.parentPath);
  w.raw(k.file_info);
  writeFileInfo(w, e.fileInfo);
  w.raw(k.summary);
  if (e.summary === null) w.nil();
  else writeSummary(w, e.summary);
  if (symlink !== '') w.raw(k.symlink_target).str(symlink);
  w.raw(k.object).fixedBin(e.object, 32);
  if (contentType !== '') w.raw(k.content_type).str(contentType);
  if (entropy !== 0) w.raw(k.entropy).f64(entropy);
  if (!isZero(e.chunks)) w.raw(k.chunks).u64(e.chunks!);
  if (hasItems(e.alternateDataStreams)) w.raw(k.alternate_data_streams).strArray(e.alternateDataStreams);
  if (hasItems(e.securityDescriptor)) w.raw(k.security_descriptor).bin(e.securityDescriptor);
  if (!isZero(e.fileAttributes)) w.raw(k.file_attributes).u32(e.fileAttributes!);
  if (hasItems(e.extendedAttributes)) w.raw(k.extended_attributes).strArray(e.extendedAttributes);
  if (hasItems(e.classifications)) {
    w.raw(k.classifications).array(e.classifications.length);
    for (const c of e.classifications) {
      w.map(3);
      w.raw(k.analyzer).str(c.analyzer);
      w.raw(k.classes).strArray(c.classes);
      w.raw(k.scores);
      if (c.scores === null) w.nil();
      else {
        w.array(c.scores.length);
        for (const s of c.scores) w.map(2).raw(k.key).str(s.key).raw(k.value).f64(s.value);
      }
    }
  }
  if (hasItems(e.customMetadata)) {
    w.raw(k.custom_metadata).array(e.customMetadata.length);
    for (const m of e.customMetadata) w.map(2).raw(k.key).str(m.key).raw(k.value).bin(m.value);
  }
  if (hasItems(e.tags)) w.raw(k.tags).strArray(e.tags);
}

export function serializeEntry(e: EntryInput): Uint8Array {
  return run((w) => writeEntry(w, e));
}

// ---- objects.Object (RT_OBJECT) ----

export interface ChunkInput {
  /** uint32, default 1.0.0 */
  version?: number;
  contentMac: Uint8Array;
  /** uint32 */
  length: number;
  /** float64, not omitempty */
  entropy: number;
  /** uint32, default 0 */
  flags?: number;
}

export interface ObjectInput {
  /** uint32, default 1.0.0 */
  version?: number;
  contentMac: Uint8Array;
  /**
   * []Chunk, not omitempty. Go builds it by appending to a nil slice, so no chunks is nil (c0):
   * null and [] both give c0.
   */
  chunks: readonly ChunkInput[] | null;
  contentType?: string;
  entropy?: number;
  /** uint32, default 0 */
  flags?: number;
}

export function writeObject(w: GoPack, o: ObjectInput): void {
  const contentType = o.contentType ?? '';
  const entropy = o.entropy ?? 0;
  w.map(4 + (contentType !== '' ? 1 : 0) + (entropy !== 0 ? 1 : 0));
  w.raw(k.version).u32(o.version ?? VERSION_1_0_0);
  w.raw(k.contentMAC).fixedBin(o.contentMac, 32);
  w.raw(k.chunks);
  if (!hasItems(o.chunks)) w.nil();
  else {
    w.array(o.chunks.length);
    for (const c of o.chunks) {
      w.map(5);
      w.raw(k.version).u32(c.version ?? VERSION_1_0_0);
      w.raw(k.contentMAC).fixedBin(c.contentMac, 32);
      w.raw(k.length).u32(c.length);
      w.raw(k.entropy).f64(c.entropy);
      w.raw(k.flags).u32(c.flags ?? 0);
    }
  }
  if (contentType !== '') w.raw(k.content_type).str(contentType);
  if (entropy !== 0) w.raw(k.entropy).f64(entropy);
  w.raw(k.flags).u32(o.flags ?? 0);
}

export function serializeObject(o: ObjectInput): Uint8Array {
  return run((w) => writeObject(w, o));
}

// ---- vfs.Xattr (RT_XATTR_ENTRY) and vfs.ErrorItem (RT_ERROR_ENTRY) ----

export interface XattrInput {
  /** uint32, default 1.0.0 */
  version?: number;
  path: string;
  name: string;
  /** int64 */
  size: Int;
  /** objects.Attribute, uint8: 0 extended attribute, 1 ADS, 2 custom */
  type: number;
  object: Uint8Array;
}

export function serializeXattr(x: XattrInput): Uint8Array {
  return run((w) => {
    w.map(6);
    w.raw(k.version).u32(x.version ?? VERSION_1_0_0);
    w.raw(k.path).str(x.path);
    w.raw(k.name).str(x.name);
    w.raw(k.size).i64(x.size);
    w.raw(k.type).u8(x.type);
    w.raw(k.object).fixedBin(x.object, 32); // omitempty, but a [32]byte is never empty
  });
}

export interface ErrorItemInput {
  /** uint32, default 1.0.0 */
  version?: number;
  name: string;
  error: string;
}

export function serializeErrorItem(e: ErrorItemInput): Uint8Array {
  return run((w) => {
    w.map(3);
    w.raw(k.version).u32(e.version ?? VERSION_1_0_0);
    w.raw(k.name).str(e.name);
    w.raw(k.error).str(e.error);
  });
}

// ---- btree.BTree root record and btree.Node ----

const ROOT_KEYS = { Version: K('Version'), Order: K('Order'), Count: K('Count'), Root: K('Root') };

export interface BTreeRootInput {
  /** uint32; persistIndex never sets it: 0 */
  version?: number;
  /** Go int (compact) */
  order: number;
  /** Go int (compact); not maintained by the persisted trees: 0 */
  count?: number;
  /** MAC of the root node */
  root: Uint8Array;
}

/** RT_*_BTREE / RT_BTREE_ROOT: the untagged BTree struct, keys are Go field names. */
export function serializeBTreeRoot(r: BTreeRootInput): Uint8Array {
  return run((w) => {
    w.map(4);
    w.raw(ROOT_KEYS.Version).u32(r.version ?? 0);
    w.raw(ROOT_KEYS.Order).int(r.order);
    w.raw(ROOT_KEYS.Count).int(r.count ?? 0);
    w.raw(ROOT_KEYS.Root).fixedBin(r.root, 32);
  });
}

export interface BTreeNodeInput {
  /** uint32; btree.Persist builds fresh nodes without a version: 0 */
  version?: number;
  /**
   * Not omitempty. btree.Persist appends pointers and values to nil slices and the keys of an
   * empty tree are nil, so an empty list (or null) is written as nil (c0).
   */
  keys: readonly string[] | null;
  pointers: readonly Uint8Array[] | null;
  values: readonly Uint8Array[] | null;
  /** *MAC, omitempty; never set by kloset */
  prev?: Uint8Array | null;
  /** *MAC, omitempty */
  next: Uint8Array | null;
}

function writeMacList(w: GoPack, list: readonly Uint8Array[] | null): void {
  if (!hasItems(list)) {
    w.nil();
    return;
  }
  w.array(list.length);
  for (const m of list) w.fixedBin(m, 32);
}

/** RT_*_NODE / RT_BTREE_NODE. */
export function serializeBTreeNode(n: BTreeNodeInput): Uint8Array {
  return run((w) => {
    const prev = n.prev ?? null;
    w.map(4 + (prev !== null ? 1 : 0) + (n.next !== null ? 1 : 0));
    w.raw(k.version).u32(n.version ?? 0);
    w.raw(k.keys).strArray(hasItems(n.keys) ? n.keys : null);
    w.raw(k.pointers);
    writeMacList(w, n.pointers);
    w.raw(k.values);
    writeMacList(w, n.values);
    if (prev !== null) w.raw(k.prev).fixedBin(prev, 32);
    if (n.next !== null) w.raw(k.next).fixedBin(n.next, 32);
  });
}

// ---- header.Header (RT_SNAPSHOT) ----

export interface KeyValueInput {
  key: string;
  value: string;
}

export interface SourceInput {
  importer: { type: string; origin: string; directory: string };
  /** []KeyValue, not omitempty; NewSource makes it [] (→ 90); null → c0 */
  context: readonly KeyValueInput[] | null;
  /** the VFS struct, stored under the key "root" */
  vfs: { root: Uint8Array; xattrs: Uint8Array; errors: Uint8Array };
  /** []Index, not omitempty; [] → 90, null → c0 */
  indexes: readonly { name: string; type: string; value: Uint8Array }[] | null;
  summary: SummaryInput;
}

export interface HeaderInput {
  /** uint32, default 1.0.0 */
  version?: number;
  identifier: Uint8Array;
  timestamp: GoTime;
  /** time.Duration: int64 nanoseconds */
  duration: Int;
  /** identifier: uuid.UUID (bin 16, never nil); publicKey: []byte, null → nil */
  identity: { identifier: Uint8Array | null; publicKey: Uint8Array | null };
  name: string;
  category: string;
  environment: string;
  perimeter: string;
  job: string;
  /** uint32 */
  replicas: number;
  /** kloset ≥ v1.1 only */
  dataset?: string;
  /** kloset ≥ v1.1 only; []string, not omitempty: NewHeader makes it [] (→ 90); null → c0 */
  dataClasses?: readonly string[] | null;
  /** not omitempty; [] → 90, null → c0 (same for tags, context, sources) */
  classifications: readonly { analyzer: string; classes: readonly { name: string; probability: number }[] | null }[] | null;
  tags: readonly string[] | null;
  context: readonly KeyValueInput[] | null;
  sources: readonly SourceInput[] | null;
}

export interface HeaderOptions {
  /** '1.0': kloset v1.0.x header without `dataset` and `data_classes` (15 keys); default '1.1' (17 keys). */
  format?: KlosetFormat;
}

function writeKeyValues(w: GoPack, kvs: readonly KeyValueInput[] | null): void {
  if (kvs === null) {
    w.nil();
    return;
  }
  w.array(kvs.length);
  for (const kv of kvs) w.map(2).raw(k.key).str(kv.key).raw(k.value).str(kv.value);
}

function writeSource(w: GoPack, s: SourceInput): void {
  w.map(5);
  w.raw(k.importer).map(3).raw(k.type).str(s.importer.type).raw(k.origin).str(s.importer.origin).raw(k.directory).str(s.importer.directory);
  w.raw(k.context);
  writeKeyValues(w, s.context);
  w.raw(k.root).map(3);
  w.raw(k.root).fixedBin(s.vfs.root, 32);
  w.raw(k.xattrs).fixedBin(s.vfs.xattrs, 32);
  w.raw(k.errors).fixedBin(s.vfs.errors, 32);
  w.raw(k.indexes);
  if (s.indexes === null) w.nil();
  else {
    w.array(s.indexes.length);
    for (const ix of s.indexes) w.map(3).raw(k.name).str(ix.name).raw(k.type).str(ix.type).raw(k.value).fixedBin(ix.value, 32);
  }
  w.raw(k.summary);
  writeSummary(w, s.summary);
}

export function writeHeader(w: GoPack, h: HeaderInput, opts: HeaderOptions = {}): void {
  const v11 = (opts.format ?? '1.1') === '1.1';
  w.map(v11 ? 17 : 15);
  w.raw(k.version).u32(h.version ?? VERSION_1_0_0);
  w.raw(k.identifier).fixedBin(h.identifier, 32);
  w.raw(k.timestamp).time(h.timestamp);
  w.raw(k.duration).duration(h.duration);
  w.raw(k.identity).map(2);
  w.raw(k.identifier).fixedBin(h.identity.identifier, 16);
  w.raw(k.public_key).bin(h.identity.publicKey);
  w.raw(k.name).str(h.name);
  w.raw(k.category).str(h.category);
  w.raw(k.environment).str(h.environment);
  w.raw(k.perimeter).str(h.perimeter);
  w.raw(k.job).str(h.job);
  w.raw(k.replicas).u32(h.replicas);
  if (v11) {
    w.raw(k.dataset).str(h.dataset ?? '');
    w.raw(k.data_classes).strArray(h.dataClasses === undefined ? [] : h.dataClasses);
  }
  w.raw(k.classifications);
  if (h.classifications === null) w.nil();
  else {
    w.array(h.classifications.length);
    for (const c of h.classifications) {
      w.map(2).raw(k.analyzer).str(c.analyzer).raw(k.classes);
      if (c.classes === null) w.nil();
      else {
        w.array(c.classes.length);
        for (const cl of c.classes) w.map(2).raw(k.name).str(cl.name).raw(k.probability).f64(cl.probability);
      }
    }
  }
  w.raw(k.tags).strArray(h.tags);
  w.raw(k.context);
  writeKeyValues(w, h.context);
  w.raw(k.sources);
  if (h.sources === null) w.nil();
  else {
    w.array(h.sources.length);
    for (const s of h.sources) writeSource(w, s);
  }
}

/** RT_SNAPSHOT blob (stored under the snapshot id, not its MAC). */
export function serializeHeader(h: HeaderInput, opts: HeaderOptions = {}): Uint8Array {
  return run((w) => writeHeader(w, h, opts));
}

// ---- storage.Configuration (CONFIG body) ----

const C = Object.fromEntries(
  [
    'Timestamp', 'RepositoryID', 'Packfile', 'Chunking', 'Hashing', 'Compression', 'Encryption', 'MinSize', 'AvgSize',
    'MaxSize', 'Algorithm', 'NormalSize', 'Bits', 'Level', 'WindowSize', 'ChunkSize', 'BlockSize', 'EnableCRC',
    'SubKeyAlgorithm', 'DataAlgorithm', 'KDFParams', 'Canary', 'KDF', 'Salt', 'argon2id', 'scrypt', 'pbkdf2',
    'SaltSize', 'Time', 'Memory', 'Threads', 'KeyLen', 'N', 'R', 'P', 'Iterations', 'Hashing',
  ].map((n) => [n, K(n)]),
) as Record<string, Uint8Array>;

export interface ConfigurationInput {
  timestamp: GoTime;
  /** uuid.UUID: 16 bytes */
  repositoryId: Uint8Array;
  /** uint64 each */
  packfile: { minSize: Int; avgSize: Int; maxSize: Int };
  /** sizes uint32 */
  chunking: { algorithm: string; minSize: number; normalSize: number; maxSize: number };
  /** bits uint32 */
  hashing: { algorithm: string; bits: number };
  /** *compression.Configuration: null → nil; the numbers are Go ints (compact) */
  compression: null | { algorithm: string; level: number; windowSize: number; chunkSize: number; blockSize: number; enableCRC: boolean };
  /** *encryption.Configuration: null → nil (plaintext repository) */
  encryption: null | {
    subKeyAlgorithm: string;
    dataAlgorithm: string;
    /** Go int */
    chunkSize: number;
    kdfParams: {
      kdf: string;
      salt: Uint8Array | null;
      /** pointers, omitempty: written only when present */
      argon2id?: { saltSize: number; time: number; memory: number; threads: number; keyLen: number } | null;
      scrypt?: { saltSize: number; n: number; r: number; p: number; keyLen: number } | null;
      pbkdf2?: { saltSize: number; iterations: number; keyLen: number; hashing: string } | null;
    };
    canary: Uint8Array | null;
  };
}

/**
 * The msgpack body of the CONFIG resource. The struct has no msgpack tags (json tags are ignored),
 * so keys are Go field names; `Version` is tagged "-" and lives in the wrapper header instead.
 */
export function serializeConfiguration(c: ConfigurationInput): Uint8Array {
  return run((w) => {
    w.map(7);
    w.raw(C.Timestamp!).time(c.timestamp);
    w.raw(C.RepositoryID!).fixedBin(c.repositoryId, 16);
    w.raw(C.Packfile!).map(3);
    w.raw(C.MinSize!).u64(c.packfile.minSize);
    w.raw(C.AvgSize!).u64(c.packfile.avgSize);
    w.raw(C.MaxSize!).u64(c.packfile.maxSize);
    w.raw(C.Chunking!).map(4);
    w.raw(C.Algorithm!).str(c.chunking.algorithm);
    w.raw(C.MinSize!).u32(c.chunking.minSize);
    w.raw(C.NormalSize!).u32(c.chunking.normalSize);
    w.raw(C.MaxSize!).u32(c.chunking.maxSize);
    w.raw(C.Hashing!).map(2);
    w.raw(C.Algorithm!).str(c.hashing.algorithm);
    w.raw(C.Bits!).u32(c.hashing.bits);
    w.raw(C.Compression!);
    const co = c.compression;
    if (co === null) w.nil();
    else {
      w.map(6);
      w.raw(C.Algorithm!).str(co.algorithm);
      w.raw(C.Level!).int(co.level);
      w.raw(C.WindowSize!).int(co.windowSize);
      w.raw(C.ChunkSize!).int(co.chunkSize);
      w.raw(C.BlockSize!).int(co.blockSize);
      w.raw(C.EnableCRC!).bool(co.enableCRC);
    }
    w.raw(C.Encryption!);
    const en = c.encryption;
    if (en === null) {
      w.nil();
      return;
    }
    w.map(5);
    w.raw(C.SubKeyAlgorithm!).str(en.subKeyAlgorithm);
    w.raw(C.DataAlgorithm!).str(en.dataAlgorithm);
    w.raw(C.ChunkSize!).int(en.chunkSize);
    w.raw(C.KDFParams!);
    const kp = en.kdfParams;
    const a = kp.argon2id ?? null;
    const s = kp.scrypt ?? null;
    const p = kp.pbkdf2 ?? null;
    w.map(2 + (a ? 1 : 0) + (s ? 1 : 0) + (p ? 1 : 0));
    w.raw(C.KDF!).str(kp.kdf);
    w.raw(C.Salt!).bin(kp.salt);
    if (a) {
      w.raw(C.argon2id!).map(5);
      w.raw(C.SaltSize!).u32(a.saltSize);
      w.raw(C.Time!).u32(a.time);
      w.raw(C.Memory!).u32(a.memory);
      w.raw(C.Threads!).u8(a.threads);
      w.raw(C.KeyLen!).u32(a.keyLen);
    }
    if (s) {
      w.raw(C.scrypt!).map(5);
      w.raw(C.SaltSize!).u32(s.saltSize);
      w.raw(C.N!).int(s.n);
      w.raw(C.R!).int(s.r);
      w.raw(C.P!).int(s.p);
      w.raw(C.KeyLen!).int(s.keyLen);
    }
    if (p) {
      w.raw(C.pbkdf2!).map(4);
      w.raw(C.SaltSize!).u32(p.saltSize);
      w.raw(C.Iterations!).int(p.iterations);
      w.raw(C.KeyLen!).int(p.keyLen);
      w.raw(C.Hashing!).str(p.hashing);
    }
    w.raw(C.Canary!).bin(en.canary);
  });
}
