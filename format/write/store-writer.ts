import { randomBytes, randomInt } from 'node:crypto';
import { ByteWriter } from '../binary.js';
import type { Hasher } from '../crypto/blake3.js';
import { Codec } from '../keys.js';
import { serializeIndexRecord, type IndexRecord } from '../packfile.js';
import { PACKFILE_VERSION, type Repository } from '../repository.js';
import { RT } from '../resources.js';
import { STATE_VERSION_1_1, type StateData } from '../state.js';
import type { WritableStore } from '../store/store.js';
import { wrapHeader, wrapResource } from '../storage/wrapper.js';
import { MacSet } from '../util/macset.js';
import { parseVersion } from '../versioning.js';
import { packfileTrailer } from './packfile.js';
import type { BlobSink, PtarStats } from './ptar-writer.js';
import { nowNano, StateStream } from './state.js';

const BLOB_VERSION = parseVersion('1.0.0');
/**
 * Kloset reads a blob with up to 2^(bitlen(length)/2) bytes of random slack around it (< 64 KiB
 * for any u32 length): the padding blob that ends each packfile is at least that long so such
 * reads of the last blob never run past the end.
 */
const TAIL_PADDING_MIN = 64 * 1024;

interface OpenPack {
  parts: Uint8Array[];
  records: IndexRecord[];
  size: number;
  mac: Hasher;
}

interface SealedPack {
  id: Uint8Array;
  records: IndexRecord[];
}

/**
 * Puts blobs into a directory or S3 store as Kloset's packer does: packfiles that start and end
 * with a random padding blob, sealed once they pass the configured maximum size and uploaded one
 * at a time while the next fills. Nothing is visible until commit() writes the state that names
 * them, so an interrupted writer leaves only unreferenced packfiles behind.
 */
export class StoreWriter implements BlobSink {
  readonly codec: Codec;
  readonly stats: PtarStats = { blobs: 0, dedupHits: 0, plainBytes: 0, storedBytes: 0 };
  private readonly seen = new Map<number, MacSet>();
  private readonly maxSize: number;
  private readonly paddingMax: number;
  private pack: OpenPack | null = null;
  private sealed: SealedPack[] = [];
  private upload: Promise<void> = Promise.resolve();
  private tail: Promise<void> = Promise.resolve();
  private parent: Uint8Array;
  private serial: Uint8Array;

  constructor(
    private readonly repo: Repository,
    private readonly store: WritableStore,
  ) {
    this.codec = new Codec(repo.config, repo.master);
    this.maxSize = Number(repo.config.packfile.maxSize > BigInt(Number.MAX_SAFE_INTEGER) ? BigInt(Number.MAX_SAFE_INTEGER) : repo.config.packfile.maxSize);
    this.paddingMax = repo.config.chunking.minSize;
    const latest = latestState(repo.states);
    this.parent = latest?.id ?? new Uint8Array(32);
    this.serial = latest?.metadata.serial ?? repo.config.repositoryId;
  }

  has(type: number, mac: Uint8Array): boolean {
    return this.repo.index.has(type, mac) || (this.seen.get(type)?.has(mac) ?? false);
  }

  put(type: number, mac: Uint8Array, data: Uint8Array): Promise<void> {
    if (this.repo.index.has(type, mac)) {
      this.stats.dedupHits++;
      return this.tail;
    }
    let set = this.seen.get(type);
    if (!set) this.seen.set(type, (set = new MacSet()));
    if (!set.add(mac)) {
      this.stats.dedupHits++;
      return this.tail;
    }
    const encoded = this.codec.encode(data);
    this.stats.blobs++;
    this.stats.plainBytes += data.length;
    this.stats.storedBytes += encoded.length;
    this.tail = this.tail.then(async () => {
      const pack = (this.pack ??= this.openPack());
      this.append(pack, type, mac, encoded);
      if (pack.size > this.maxSize) await this.seal();
    });
    return this.tail;
  }

  private openPack(): OpenPack {
    const pack: OpenPack = { parts: [], records: [], size: 0, mac: this.codec.newMac() };
    this.pad(pack, 1);
    return pack;
  }

  private append(pack: OpenPack, type: number, mac: Uint8Array, encoded: Uint8Array): void {
    pack.records.push({ type, version: BLOB_VERSION, mac, offset: pack.size, length: encoded.length, flags: 0 });
    pack.parts.push(encoded);
    pack.mac.update(encoded);
    pack.size += encoded.length;
  }

  /** A random blob of random length, stored as is (padding is never encoded), as Kloset adds. */
  private pad(pack: OpenPack, min: number): void {
    const max = Math.max(min + 1, this.paddingMax);
    this.append(pack, RT.RANDOM, new Uint8Array(randomBytes(32)), new Uint8Array(randomBytes(randomInt(min, max))));
  }

  /** Closes the open packfile and starts its upload once the previous one is done. */
  private async seal(): Promise<void> {
    const pack = this.pack;
    if (!pack) return;
    this.pack = null;
    this.pad(pack, TAIL_PADDING_MIN);
    const rawIndex = new ByteWriter();
    for (const r of pack.records) serializeIndexRecord(rawIndex, r);
    const trailer = packfileTrailer(this.codec, rawIndex.finish(), pack.records.length, pack.size);
    for (const t of trailer) pack.mac.update(t);
    // Packfile names are opaque to readers; the MAC of the body makes them unique.
    const id = pack.mac.digest();
    const body = [...pack.parts, ...trailer];
    const wrapped = Buffer.concat([wrapHeader(RT.PACKFILE, PACKFILE_VERSION), ...body, wrapperMac(this.codec, body)]);
    await this.upload;
    this.upload = this.store.putPackfile(id, wrapped);
    this.sealed.push({ id, records: pack.records });
  }

  /**
   * Seals and uploads what is pending, then writes the state `stateId` that locates every blob
   * put since the last commit: from then on they are part of the store.
   */
  async commit(stateId: Uint8Array): Promise<void> {
    await this.tail;
    await this.seal();
    await this.upload;
    const state = new StateStream(this.parent);
    const now = nowNano();
    for (const p of this.sealed) for (const r of p.records) state.location(r.type, r.version, r.mac, p.id, r.offset, r.length);
    for (const p of this.sealed) state.packfile(p.id, stateId, now);
    const stream = state.finish(now, this.serial);
    await this.store.putState(stateId, wrapResource(RT.STATE, STATE_VERSION_1_1, this.codec.encode(stream), this.codec.newMac()));
    this.sealed = [];
    this.parent = stateId;
  }

  /** Gives up the open transaction: packfiles already uploaded for it are removed. */
  async abort(): Promise<void> {
    this.pack = null;
    await this.tail.catch(() => {});
    await this.upload.catch(() => {});
    for (const p of this.sealed) await this.store.deletePackfile(p.id).catch(() => {});
    this.sealed = [];
  }
}

function wrapperMac(codec: Codec, body: Uint8Array[]): Uint8Array {
  const mac = codec.newMac();
  mac.update(wrapHeader(RT.PACKFILE, PACKFILE_VERSION));
  for (const b of body) mac.update(b);
  return mac.digest();
}

/** The newest state by its own timestamp: new states name it as parent and inherit its serial. */
export function latestState(states: readonly StateData[]): StateData | undefined {
  let latest: StateData | undefined;
  for (const s of states) if (!latest || s.metadata.timestamp > latest.metadata.timestamp) latest = s;
  return latest;
}
