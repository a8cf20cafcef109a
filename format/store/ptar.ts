import { bytesEqual } from '../binary.js';
import { IntegrityError, NotFoundError } from '../errors.js';
import { openSource, type ByteSource } from '../io/source.js';
import { PTAR_PACKFILE_ID, PTAR_STATE_ID, readPtarLayout, type PtarLayout } from '../storage/ptar.js';
import type { Store } from './store.js';

/**
 * A ptar archive seen as a read-only store holding one state and one packfile. The state may name
 * its packfile with any identifier (plakar uses a random one), so packfile reads ignore the id.
 */
export class PtarStore implements Store {
  private constructor(readonly location: string, readonly source: ByteSource, readonly layout: PtarLayout) {}

  static async open(location: string): Promise<PtarStore> {
    const src = await openSource(location);
    try {
      return new PtarStore(location, src, await readPtarLayout(src));
    } catch (e) {
      await src.close();
      throw e;
    }
  }

  getConfig(): Promise<Uint8Array> {
    return this.source.read(this.layout.config.offset, this.layout.config.length);
  }

  async listStates(): Promise<Uint8Array[]> {
    return [PTAR_STATE_ID];
  }

  getState(id: Uint8Array): Promise<Uint8Array> {
    if (!bytesEqual(id, PTAR_STATE_ID)) throw new NotFoundError('ptar: no such state');
    return this.source.read(this.layout.state.offset, this.layout.state.length);
  }

  async listPackfiles(): Promise<Uint8Array[]> {
    return [PTAR_PACKFILE_ID];
  }

  async packfileSize(): Promise<number> {
    return this.layout.packfile.length;
  }

  readPackfile(_id: Uint8Array, offset: number, length: number): Promise<Uint8Array> {
    if (offset < 0 || length < 0 || offset + length > this.layout.packfile.length) {
      return Promise.reject(new IntegrityError(`ptar: packfile range [${offset}, +${length}) is outside the packfile`));
    }
    return this.source.read(this.layout.packfile.offset + offset, length);
  }

  async size(): Promise<number> {
    return this.layout.fileSize;
  }

  close(): Promise<void> {
    return this.source.close();
  }
}
