import { randomBytes } from 'node:crypto';
import { ByteWriter } from '../binary.js';
import type { Hasher } from '../crypto/blake3.js';
import { configMacFactory } from '../crypto/mac.js';
import { Codec } from '../keys.js';
import { FOOTER_SIZE, serializeFooter, serializeIndexRecord, type IndexRecord } from '../packfile.js';
import { PACKFILE_VERSION, CONFIG_VERSION } from '../repository.js';
import { RT } from '../resources.js';
import { ET, STATE_VERSION_1_1 } from '../state.js';
import type { Configuration } from '../storage/config.js';
import { PTAR_MAGIC, PTAR_VERSION } from '../storage/ptar.js';
import { wrapHeader, WRAPPER_HEADER_SIZE } from '../storage/wrapper.js';
import { serializeConfiguration } from '../snapshot/serialize.js';
import { ExternalSorter } from '../util/extsort.js';
import { MacSet } from '../util/macset.js';
import { parseVersion } from '../versioning.js';
import type { Output } from './output.js';

const BLOB_VERSION = parseVersion('1.0.0');

/** Where a snapshot builder puts blobs: the ptar being written, later any store. */
export interface BlobSink {
  readonly codec: Codec;
  has(type: number, mac: Uint8Array): boolean;
  /** Stores a blob unless one with the same type and MAC is already there. */
  put(type: number, mac: Uint8Array, data: Uint8Array): Promise<void>;
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
  private readonly seen = new Map<number, MacSet>();
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
    this.index = new ExternalSorter({ compare: (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0), tmpDir, memoryBytes: 16 << 20 });
  }

  static async create(out: Output, config: Configuration, master: Uint8Array | null, tmpDir: string): Promise<PtarWriter> {
    const header = new ByteWriter().bytes(Buffer.from(PTAR_MAGIC, 'latin1')).u32(PTAR_VERSION).finish();
    const wrappedConfig = wrap(RT.CONFIG, CONFIG_VERSION, serializeConfiguration(config), configMacFactory(master)());
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
    return this.seen.get(type)?.has(mac) ?? false;
  }

  put(type: number, mac: Uint8Array, data: Uint8Array): Promise<void> {
    let set = this.seen.get(type);
    if (!set) this.seen.set(type, (set = new MacSet()));
    if (!set.add(mac)) {
      this.stats.dedupHits++;
      return this.tail;
    }
    const encoded = this.codec.encode(data);
    const rec: IndexRecord = { type, version: BLOB_VERSION, mac, offset: this.dataLength, length: encoded.length, flags: 0 };
    this.dataLength += encoded.length;
    this.stats.blobs++;
    this.stats.plainBytes += data.length;
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
    const state = new ByteWriter().bytes(new Uint8Array(32));
    let count = 0;
    for await (const [, rec] of this.index.sorted()) {
      rawIndex.bytes(rec);
      const v = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
      state.u8(ET.LOCATIONS).u32(85).u8(v.getUint32(0, true)).u32(v.getUint32(4, true)).bytes(rec.subarray(8, 40));
      state.bytes(packfileId).u64(v.getBigUint64(40, true)).u32(v.getUint32(48, true)).u32(0);
      count++;
    }
    const raw = rawIndex.finish();
    const encodedIndex = this.codec.encode(raw);
    const footer = serializeFooter({ timestamp: 0n, count, indexOffset: this.dataLength, indexMac: this.codec.computeMac(raw), flags: 0 });
    if (footer.length !== FOOTER_SIZE) throw new Error('footer size');
    const encodedFooter = this.codec.encode(footer);
    await this.writePack(encodedIndex);
    await this.writePack(encodedFooter);
    await this.writePack(new ByteWriter().u32(encodedFooter.length).finish());
    const packMac = this.packMac.digest();
    await this.out.write(packMac);
    const packfileOffset = 12 + this.configLength;
    const packfileLength = WRAPPER_HEADER_SIZE + this.dataLength + encodedIndex.length + encodedFooter.length + 4 + packMac.length;

    const now = BigInt(Date.now()) * 1_000_000n;
    state.u8(ET.PACKFILE).u32(72).bytes(packfileId).bytes(new Uint8Array(randomBytes(32))).u64(now);
    state.u8(ET.METADATA).u32(STATE_VERSION_1_1).u64(now).bytes(this.codec.config.repositoryId);
    const stream = state.finish();
    const wrappedState = wrap(RT.STATE, STATE_VERSION_1_1, this.codec.encode(stream), this.codec.newMac());
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

function wrap(type: number, version: number, body: Uint8Array, mac: Hasher): Uint8Array {
  const header = wrapHeader(type, version);
  mac.update(header);
  mac.update(body);
  return new ByteWriter().bytes(header).bytes(body).bytes(mac.digest()).finish();
}
