import { randomBytes } from 'node:crypto';
import { ByteWriter } from '../binary.js';
import type { Hasher } from '../crypto/blake3.js';
import { Codec } from '../keys.js';
import { BLOB_RECORD_SIZE, serializeIndexRecord } from '../packfile.js';
import { PACKFILE_VERSION } from '../repository.js';
import { RT } from '../resources.js';
import type { Configuration } from '../storage/config.js';
import { PTAR_MAGIC, PTAR_VERSION } from '../storage/ptar.js';
import { wrapHeader, WRAPPER_HEADER_SIZE } from '../storage/wrapper.js';
import { parseVersion } from '../versioning.js';
import { contiguousRuns, QueuedSink, type EncodedBlob } from './blob-sink.js';
import { wrapConfiguration } from './config.js';
import type { Output } from './output.js';
import { PackIndex } from './pack-index.js';
import { packfileFooter } from './packfile.js';
import { nowNano, writeState } from './state.js';

const BLOB_VERSION = parseVersion('1.0.0');

/**
 * Writes a ptar front to back: magic, version and configuration first, then the packfile as blobs
 * arrive (each encoded on its own), and on finish() the packfile index and footer, the state that
 * locates every blob, and the trailer. Index records and the deduplication set spill to disk past
 * a few MiB, so memory does not grow with the number of blobs.
 */
export class PtarWriter extends QueuedSink {
  private readonly index: PackIndex;
  private readonly packMac: Hasher;
  private readonly configLength: number;
  private dataLength = 0;
  private readonly record = new ByteWriter();

  private constructor(private readonly out: Output, config: Configuration, master: Uint8Array | null, tmpDir: string, configLength: number) {
    super(new Codec(config, master), tmpDir);
    this.packMac = this.codec.newMac();
    this.configLength = configLength;
    this.index = new PackIndex(tmpDir);
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

  protected async writeBlobs(blobs: EncodedBlob[]): Promise<void> {
    for (const { type, mac, encoded } of blobs) {
      serializeIndexRecord(this.record.reset(), { type, version: BLOB_VERSION, mac, offset: this.dataLength, length: encoded.length, flags: 0 });
      this.dataLength += encoded.length;
      await this.index.add(this.record.written());
    }
    for (const run of contiguousRuns(blobs)) await this.writePack(run);
  }

  /**
   * Index, footer, packfile MAC, state and trailer; then the output is committed. The index and
   * the state grow with the number of blobs: both are encoded as they are read from the index's
   * sorted runs, never held whole.
   */
  async finish(): Promise<void> {
    await this.tail;
    this.forget();
    const packfileId = new Uint8Array(randomBytes(32));
    const count = this.index.count;
    // Plakar's packing cache iterates blobs by the string "<type>:<mac hex>"; the index and the
    // state list them in that order.
    let trailerLength = 0;
    const toPack = async (parts: Uint8Array[]): Promise<void> => {
      for (const p of parts) {
        await this.writePack(p);
        trailerLength += p.length;
      }
    };
    const indexMac = this.codec.newMac();
    const index = this.codec.encodeStream();
    for await (const batch of this.index.batches()) {
      indexMac.update(batch);
      await toPack(index.push(batch));
    }
    await toPack(index.end());
    await toPack(packfileFooter(this.codec, indexMac.digest(), count, this.dataLength));
    const packMac = this.packMac.digest();
    await this.out.write(packMac);
    const packfileOffset = 12 + this.configLength;
    const packfileLength = WRAPPER_HEADER_SIZE + this.dataLength + trailerLength + packMac.length;

    // The state lists the same blobs in the same order, read again from the index.
    const now = nowNano();
    const stateLength = await writeState(
      this.out,
      this.codec,
      new Uint8Array(32),
      async (state, flush) => {
        for await (const batch of this.index.batches()) {
          const v = new DataView(batch.buffer, batch.byteOffset, batch.byteLength);
          for (let p = 0; p < batch.length; p += BLOB_RECORD_SIZE) {
            state.location(v.getUint32(p, true), v.getUint32(p + 4, true), batch.subarray(p + 8, p + 40), packfileId, v.getBigUint64(p + 40, true), v.getUint32(p + 48, true));
          }
          await flush();
        }
        await this.index.close();
        state.packfile(packfileId, new Uint8Array(randomBytes(32)), now);
      },
      now,
      this.codec.config.repositoryId,
    );
    const stateOffset = packfileOffset + packfileLength;
    await this.out.write(
      new ByteWriter().i64(12).i64(this.configLength).i64(packfileOffset).i64(packfileLength).i64(stateOffset).i64(stateLength).finish(),
    );
    await this.out.commit();
  }

  async abort(): Promise<void> {
    this.forget();
    await this.index.close();
    await this.out.abort();
  }
}
