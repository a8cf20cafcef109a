import { randomBytes } from 'node:crypto';
import { ByteWriter } from '../binary.js';
import type { Hasher } from '../crypto/blake3.js';
import { Codec } from '../keys.js';
import { serializeIndexRecord, type IndexRecord } from '../packfile.js';
import { PACKFILE_VERSION } from '../repository.js';
import { RT } from '../resources.js';
import { STATE_VERSION_1_1 } from '../state.js';
import type { Configuration } from '../storage/config.js';
import { PTAR_MAGIC, PTAR_VERSION } from '../storage/ptar.js';
import { wrapHeader, wrapResource, WRAPPER_HEADER_SIZE } from '../storage/wrapper.js';
import { ExternalSorter } from '../util/extsort.js';
import { BlobSet } from '../util/macset.js';
import { parseVersion } from '../versioning.js';
import { wrapConfiguration } from './config.js';
import type { Output } from './output.js';
import { packfileTrailer } from './packfile.js';
import { nowNano, StateStream } from './state.js';

const BLOB_VERSION = parseVersion('1.0.0');

/** Where a snapshot builder puts blobs: the ptar being written, later any store. */
export interface BlobSink {
  readonly codec: Codec;
  has(type: number, mac: Uint8Array): boolean;
  /** Stores a blob unless one with the same type and MAC is already there. */
  put(type: number, mac: Uint8Array, data: Uint8Array): Promise<void>;
  /** The same for a blob already encoded with `codec` (by a worker thread); `plainLength` is for the stats. */
  putEncoded(type: number, mac: Uint8Array, encoded: Uint8Array, plainLength: number): Promise<void>;
}

export interface PtarStats {
  blobs: number;
  dedupHits: number;
  plainBytes: number;
  storedBytes: number;
}

/**
 * Writes a ptar front to back: magic, version and configuration first, then the packfile as blobs
 * arrive (each encoded on its own), and on finish() the packfile index and footer, the state that
 * locates every blob, and the trailer. Index records wait in an external sorter, so memory does
 * not grow with the number of blobs beyond the deduplication set.
 */
export class PtarWriter implements BlobSink {
  readonly codec: Codec;
  readonly stats: PtarStats = { blobs: 0, dedupHits: 0, plainBytes: 0, storedBytes: 0 };
  private readonly seen = new BlobSet();
  private readonly index: ExternalSorter;
  private readonly packMac: Hasher;
  private readonly configLength: number;
  private dataLength = 0;
  /** Writes in call order: offsets are assigned when a blob is accepted, bytes follow in that order. */
  private tail: Promise<void> = Promise.resolve();

  private constructor(private readonly out: Output, config: Configuration, master: Uint8Array | null, tmpDir: string, configLength: number) {
    this.codec = new Codec(config, master);
    this.packMac = this.codec.newMac();
    this.configLength = configLength;
    // Plakar's packing cache iterates blobs by the string "<type>:<mac hex>"; the index and the
    // state list them in that order.
    this.index = new ExternalSorter({ compare: (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0), tmpDir, memoryBytes: 8 << 20 });
  }

  static async create(out: Output, config: Configuration, master: Uint8Array | null, tmpDir: string): Promise<PtarWriter> {
    const header = new ByteWriter().bytes(Buffer.from(PTAR_MAGIC, 'latin1')).u32(PTAR_VERSION).finish();
    const wrappedConfig = wrapConfiguration(config, master);
    await out.write(header);
    await out.write(wrappedConfig);
    const w = new PtarWriter(out, config, master, tmpDir, wrappedConfig.length);
    await w.writePack(wrapHeader(RT.PACKFILE, PACKFILE_VERSION));
    return w;
  }

  private async writePack(b: Uint8Array): Promise<void> {
    this.packMac.update(b);
    await this.out.write(b);
  }

  has(type: number, mac: Uint8Array): boolean {
    return this.seen.has(type, mac);
  }

  put(type: number, mac: Uint8Array, data: Uint8Array): Promise<void> {
    return this.claim(type, mac) ? this.append(type, mac, this.codec.encode(data), data.length) : this.tail;
  }

  putEncoded(type: number, mac: Uint8Array, encoded: Uint8Array, plainLength: number): Promise<void> {
    return this.claim(type, mac) ? this.append(type, mac, encoded, plainLength) : this.tail;
  }

  /** True for a blob not stored yet, which the caller must now store. */
  private claim(type: number, mac: Uint8Array): boolean {
    if (this.seen.add(type, mac)) return true;
    this.stats.dedupHits++;
    return false;
  }

  private append(type: number, mac: Uint8Array, encoded: Uint8Array, plainLength: number): Promise<void> {
    const rec: IndexRecord = { type, version: BLOB_VERSION, mac, offset: this.dataLength, length: encoded.length, flags: 0 };
    this.dataLength += encoded.length;
    this.stats.blobs++;
    this.stats.plainBytes += plainLength;
    this.stats.storedBytes += encoded.length;
    const w = new ByteWriter();
    serializeIndexRecord(w, rec);
    // "<type>:" then the MAC bytes as a latin1 string sorts exactly like "<type>:<mac hex>".
    const key = `${type}:${Buffer.from(mac.buffer, mac.byteOffset, mac.byteLength).toString('latin1')}`;
    this.tail = this.tail.then(async () => {
      await this.index.add(key, w.finish());
      await this.writePack(encoded);
    });
    return this.tail;
  }

  /** Index, footer, packfile MAC, state and trailer; then the output is committed. */
  async finish(): Promise<void> {
    await this.tail;
    const packfileId = new Uint8Array(randomBytes(32));
    const rawIndex = new ByteWriter();
    // The state lists the same blobs in the same order: built alongside, one record at a time.
    const state = new StateStream(new Uint8Array(32));
    let count = 0;
    for await (const [, rec] of this.index.sorted()) {
      rawIndex.bytes(rec);
      const v = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
      state.location(v.getUint32(0, true), v.getUint32(4, true), rec.subarray(8, 40), packfileId, v.getBigUint64(40, true), v.getUint32(48, true));
      count++;
    }
    let trailerLength = 0;
    for (const part of packfileTrailer(this.codec, rawIndex.finish(), count, this.dataLength)) {
      await this.writePack(part);
      trailerLength += part.length;
    }
    const packMac = this.packMac.digest();
    await this.out.write(packMac);
    const packfileOffset = 12 + this.configLength;
    const packfileLength = WRAPPER_HEADER_SIZE + this.dataLength + trailerLength + packMac.length;

    const now = nowNano();
    state.packfile(packfileId, new Uint8Array(randomBytes(32)), now);
    const stream = state.finish(now, this.codec.config.repositoryId);
    const wrappedState = wrapResource(RT.STATE, STATE_VERSION_1_1, this.codec.encode(stream), this.codec.newMac());
    await this.out.write(wrappedState);
    const stateOffset = packfileOffset + packfileLength;
    await this.out.write(
      new ByteWriter().i64(12).i64(this.configLength).i64(packfileOffset).i64(packfileLength).i64(stateOffset).i64(wrappedState.length).finish(),
    );
    await this.out.commit();
  }

  async abort(): Promise<void> {
    await this.index.close();
    await this.out.abort();
  }
}
