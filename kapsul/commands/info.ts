import { toHex } from '../../format/binary.js';
import type { Repository } from '../../format/repository.js';
import { locate } from '../../format/snapshot/locate.js';
import type { Snapshot } from '../../format/snapshot/snapshot.js';
import { formatVersion } from '../../format/versioning.js';
import { goDuration, ibytes } from '../humanize.js';
import { out, printJson } from '../output.js';

function uuid(b: Uint8Array): string {
  const h = toHex(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function sizeLine(n: number | bigint): string {
  return `${ibytes(Number(n))} (${n} bytes)`;
}

/** `info` without argument: the repository configuration, as plakar prints it. */
export async function infoRepository(repo: Repository, snaps: Snapshot[], storageSize: number, json: boolean): Promise<void> {
  const c = repo.config;
  const logical = snaps.reduce((n, s) => n + (s.source.summary.directory.size ?? 0) + (s.source.summary.below.size ?? 0), 0);
  if (json) {
    return printJson({
      version: formatVersion(c.version),
      timestamp: c.timestamp.toRFC3339Nano(),
      repository_id: uuid(c.repositoryId),
      packfile: { max_size: c.packfile.maxSize.toString() },
      chunking: c.chunking,
      hashing: c.hashing,
      compression: c.compression,
      encryption: c.encryption && {
        subkey_algorithm: c.encryption.subKeyAlgorithm,
        data_algorithm: c.encryption.dataAlgorithm,
        chunk_size: c.encryption.chunkSize,
        kdf: c.encryption.kdfParams.kdf,
        kdf_params: c.encryption.kdfParams.argon2id ?? c.encryption.kdfParams.scrypt ?? c.encryption.kdfParams.pbkdf2,
      },
      snapshots: snaps.length,
      storage_size: storageSize,
      logical_size: logical,
    });
  }
  const lines = [
    `Version: ${formatVersion(c.version).slice(1)}`,
    `Timestamp: ${c.timestamp.toRFC3339Nano()}`,
    `RepositoryID: ${uuid(c.repositoryId)}`,
    'Packfile:',
    ` - MaxSize: ${sizeLine(c.packfile.maxSize)}`,
    'Chunking:',
    ` - Algorithm: ${c.chunking.algorithm}`,
    ` - MinSize: ${sizeLine(c.chunking.minSize)}`,
    ` - NormalSize: ${sizeLine(c.chunking.normalSize)}`,
    ` - MaxSize: ${sizeLine(c.chunking.maxSize)}`,
    'Hashing:',
    ` - Algorithm: ${c.hashing.algorithm}`,
    ` - Bits: ${c.hashing.bits}`,
  ];
  if (c.compression) lines.push('Compression:', ` - Algorithm: ${c.compression.algorithm}`, ` - Level: ${c.compression.level}`);
  if (c.encryption) {
    const e = c.encryption;
    lines.push('Encryption:', ` - SubkeyAlgorithm: ${e.subKeyAlgorithm}`, ` - DataAlgorithm: ${e.dataAlgorithm}`, ` - ChunkSize: ${e.chunkSize}`);
    lines.push(` - Canary: ${toHex(e.canary)}`, ` - KDF: ${e.kdfParams.kdf}`, `   - Salt: ${toHex(e.kdfParams.salt)}`);
    const a = e.kdfParams.argon2id;
    if (a) lines.push(`   - SaltSize: ${a.saltSize}`, `   - KeyLen: ${a.keyLen}`, `   - Time: ${a.time}`, `   - Memory: ${a.memory}`, `   - Thread: ${a.threads}`);
  }
  lines.push(`Snapshots: ${snaps.length}`, `Storage size: ${sizeLine(storageSize)}`, `Logical size: ${sizeLine(logical)}`);
  await out(lines.join('\n') + '\n');
}

/** `info SNAP`: a snapshot's header and summary. */
export async function infoSnapshot(repo: Repository, snaps: Snapshot[], arg: string, json: boolean): Promise<void> {
  const { snap } = locate(snaps, arg);
  const h = snap.header;
  const src = snap.source;
  const d = src.summary.directory;
  const b = src.summary.below;
  const sum = (k: string): number => (d[k] ?? 0) + (b[k] ?? 0);
  const ctx = (k: string): string => h.context.find((kv) => kv.key === k)?.value ?? '';
  if (json) {
    return printJson({
      id: toHex(snap.id),
      timestamp: h.timestamp.toRFC3339Nano(),
      duration_ns: Number(h.duration),
      name: h.name,
      environment: h.environment,
      perimeter: h.perimeter,
      category: h.category,
      job: h.job,
      tags: h.tags,
      vfs: { root: toHex(src.vfs.root), xattrs: toHex(src.vfs.xattrs), errors: toHex(src.vfs.errors) },
      importer: src.importer,
      context: Object.fromEntries(h.context.map((kv) => [kv.key, kv.value])),
      summary: src.summary,
    });
  }
  const lines = [
    `Version: ${formatVersion(repo.config.version).slice(1)}`,
    `SnapshotID: ${toHex(snap.id)}`,
    `Timestamp: ${h.timestamp.toRFC3339Nano()}`,
    `Duration: ${goDuration(h.duration)}`,
    `Name: ${h.name}`,
    `Environment: ${h.environment}`,
    `Perimeter: ${h.perimeter}`,
    `Category: ${h.category}`,
    ...(h.tags.length ? [`Tags: ${h.tags.join(', ')}`] : []),
    'VFS:',
    ` - Root: ${toHex(src.vfs.root)}`,
    ` - Xattrs: ${toHex(src.vfs.xattrs)}`,
    ` - Errors: ${toHex(src.vfs.errors)}`,
    'Importer:',
    ` - Type: ${src.importer.type}`,
    ` - Origin: ${src.importer.origin}`,
    ` - Directory: ${src.importer.directory}`,
    'Context:',
    ...['MachineID', 'Hostname', 'Username', 'OperatingSystem', 'Architecture', 'NumCPU', 'MaxProcs', 'ProcessID', 'Client', 'CommandLine'].map((k) => ` - ${k}: ${ctx(k)}`),
    'Summary:',
    ...['Directories', 'Files', 'Symlinks', 'Devices', 'Pipes', 'Sockets', 'Setuid', 'Setgid', 'Sticky', 'Objects', 'Chunks'].map((k) => ` - ${k}: ${sum(k.toLowerCase())}`),
    ` - Size: ${sizeLine(sum('size'))}`,
    ` - Errors: ${sum('errors')}`,
  ];
  await out(lines.join('\n') + '\n');
}
