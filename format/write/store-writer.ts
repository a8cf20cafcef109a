import { randomBytes, randomInt } from 'node:crypto';
import { ByteWriter } from '../binary.js';
import type { Hasher } from '../crypto/blake3.js';
import { Codec } from '../keys.js';
import { BLOB_RECORD_SIZE, serializeIndexRecord } from '../packfile.js';
import { PACKFILE_VERSION, type Repository } from '../repository.js';
import { RT } from '../resources.js';
import type { StateData } from '../state.js';
import type { WritableStore } from '../store/store.js';
import { wrapHeader } from '../storage/wrapper.js';
import type { Output } from './output.js';
import { parseVersion } from '../versioning.js';
import { QueuedSink, type EncodedBlob } from './blob-sink.js';
import { sharedLock } from './lock.js';
import { packfileTrailer } from './packfile.js';
import { nowNano, writeState } from './state.js';

const BLOB_VERSION = parseVersion('1.0.0');
/**
 * Kloset reads a blob with up to 2^(bitlen(length)/2) bytes of random slack around it (< 64 KiB
 * for any u32 length): the padding blob that ends each packfile is at least that long so such
 * reads of the last blob never run past the end.
 */
const TAIL_PADDING_MIN = 64 * 1024;

interface OpenPack {
  id: Uint8Array;
  out: Output;
  /** Raw index records (56 bytes each): compact, and the state is built from them too. */
  index: ByteWriter;
  count: number;
  size: number;
  mac: Hasher;
}

interface SealedPack {
  id: Uint8Array;
  index: Uint8Array;
}

/**
 * Puts blobs into a directory or S3 store as Kloset's packer does: packfiles that start and end
 * with a random padding blob, sealed once they pass the configured maximum size. Each packfile
 * streams to its store (a temporary file beside it, or a local spool for S3) and is committed, or
 * uploaded, while the next one fills. Nothing is visible until commit() writes the state that
 * names them, so an interrupted writer leaves only unreferenced packfiles behind.
 */
export class StoreWriter extends QueuedSink {
  private readonly maxSize: number;
  private readonly paddingMax: number;
  private pack: OpenPack | null = null;
  private sealed: SealedPack[] = [];
  private upload: Promise<void> = Promise.resolve();
  private parent: Uint8Array;
  private serial: Uint8Array;

  /** `spillDir`: where the deduplication set may spill (see BlobSet). */
  constructor(
    private readonly repo: Repository,
    private readonly store: WritableStore,
    spillDir?: string,
  ) {
    super(new Codec(repo.config, repo.master), spillDir);
    this.maxSize = Number(repo.config.packfile.maxSize > BigInt(Number.MAX_SAFE_INTEGER) ? BigInt(Number.MAX_SAFE_INTEGER) : repo.config.packfile.maxSize);
    this.paddingMax = repo.config.chunking.minSize;
    const latest = latestState(repo.states);
    this.parent = latest?.id ?? new Uint8Array(32);
    this.serial = latest?.metadata.serial ?? repo.config.repositoryId;
  }

  protected override stored(type: number, mac: Uint8Array): boolean {
    return this.repo.index.has(type, mac);
  }

  protected async writeBlobs(blobs: EncodedBlob[]): Promise<void> {
    for (const { type, mac, encoded } of blobs) {
      const pack = (this.pack ??= await this.openPack());
      await this.addBlob(pack, type, mac, encoded);
      if (pack.size > this.maxSize) await this.seal();
    }
  }

  private async openPack(): Promise<OpenPack> {
    // Packfile names are opaque to readers (Kloset uses a MAC, its ptar a random id); a random
    // one is known before the first byte, so the packfile can stream to its final place.
    const id = new Uint8Array(randomBytes(32));
    const pack: OpenPack = { id, out: await this.store.packfileOutput(id), index: new ByteWriter(), count: 0, size: 0, mac: this.codec.newMac() };
    await this.write(pack, wrapHeader(RT.PACKFILE, PACKFILE_VERSION));
    await this.pad(pack, 1);
    return pack;
  }

  private async write(pack: OpenPack, b: Uint8Array): Promise<void> {
    pack.mac.update(b);
    await pack.out.write(b);
  }

  private async addBlob(pack: OpenPack, type: number, mac: Uint8Array, encoded: Uint8Array): Promise<void> {
    serializeIndexRecord(pack.index, { type, version: BLOB_VERSION, mac, offset: pack.size, length: encoded.length, flags: 0 });
    pack.count++;
    pack.size += encoded.length;
    await this.write(pack, encoded);
  }

  /** A random blob of random length, stored as is (padding is never encoded), as Kloset adds. */
  private pad(pack: OpenPack, min: number): Promise<void> {
    const max = Math.max(min + 1, this.paddingMax);
    return this.addBlob(pack, RT.RANDOM, new Uint8Array(randomBytes(32)), new Uint8Array(randomBytes(randomInt(min, max))));
  }

  /** Closes the open packfile and commits it (uploads it) once the previous one is done. */
  private async seal(): Promise<void> {
    const pack = this.pack;
    if (!pack) return;
    this.pack = null;
    await this.pad(pack, TAIL_PADDING_MIN);
    const index = pack.index.finish();
    for (const t of packfileTrailer(this.codec, index, pack.count, pack.size)) await this.write(pack, t);
    await pack.out.write(pack.mac.digest());
    await this.upload;
    this.upload = pack.out.commit();
    this.sealed.push({ id: pack.id, index });
  }

  /**
   * Builds one snapshot `id` as a Kloset commit: under a shared lock named after it, committed
   * when `build` succeeds, its uploaded packfiles removed when it fails.
   */
  async snapshot<T>(id: Uint8Array, build: () => Promise<T>): Promise<T> {
    const unlock = await sharedLock(this.repo, this.store, id);
    try {
      const result = await build();
      await this.commit(id);
      return result;
    } catch (e) {
      await this.abort();
      throw e;
    } finally {
      await unlock();
    }
  }

  /**
   * Seals and uploads what is pending, then writes the state `stateId` that locates every blob
   * put since the last commit: from then on they are part of the store.
   */
  async commit(stateId: Uint8Array): Promise<void> {
    await this.tail;
    await this.seal();
    await this.upload;
    const now = nowNano();
    const out = await this.store.stateOutput(stateId);
    try {
      await writeState(
        out,
        this.codec,
        this.parent,
        async (state, flush) => {
          for (const p of this.sealed) {
            const v = new DataView(p.index.buffer, p.index.byteOffset, p.index.byteLength);
            for (let at = 0; at < p.index.length; at += BLOB_RECORD_SIZE) {
              const mac = p.index.subarray(at + 8, at + 40);
              state.location(v.getUint32(at, true), v.getUint32(at + 4, true), mac, p.id, v.getBigUint64(at + 40, true), v.getUint32(at + 48, true));
            }
            await flush();
          }
          for (const p of this.sealed) state.packfile(p.id, stateId, now);
        },
        now,
        this.serial,
      );
      await out.commit();
    } catch (e) {
      await out.abort();
      throw e;
    }
    this.sealed = [];
    this.parent = stateId;
  }

  /** Done writing: the deduplication set and its spill file go. */
  close(): void {
    this.forget();
  }

  /** Gives up the open transaction: packfiles already uploaded for it are removed. */
  async abort(): Promise<void> {
    await this.tail.catch(() => {});
    await this.pack?.out.abort();
    this.pack = null;
    await this.upload.catch(() => {});
    for (const p of this.sealed) await this.store.deletePackfile(p.id).catch(() => {});
    this.sealed = [];
  }
}

/** The newest state by its own timestamp: new states name it as parent and inherit its serial. */
export function latestState(states: readonly StateData[]): StateData | undefined {
  let latest: StateData | undefined;
  for (const s of states) if (!latest || s.metadata.timestamp > latest.metadata.timestamp) latest = s;
  return latest;
}
