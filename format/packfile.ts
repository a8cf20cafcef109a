import { ByteReader, ByteWriter } from './binary.js';
import { IntegrityError } from './errors.js';

export const BLOB_RECORD_SIZE = 56;
export const FOOTER_SIZE = 56;

export interface IndexRecord {
  type: number;
  version: number;
  mac: Uint8Array;
  offset: number;
  length: number;
  flags: number;
}

export interface Footer {
  timestamp: bigint;
  count: number;
  indexOffset: number;
  indexMac: Uint8Array;
  flags: number;
}

export function parseFooter(raw: Uint8Array): Footer {
  if (raw.length !== FOOTER_SIZE) throw new IntegrityError(`packfile footer: ${raw.length} bytes, expected ${FOOTER_SIZE}`);
  const r = new ByteReader(raw, 'packfile footer');
  return { timestamp: r.i64big(), count: r.u32(), indexOffset: r.u64(), indexMac: r.bytes(32), flags: r.u32() };
}

export function serializeFooter(f: Footer): Uint8Array {
  return new ByteWriter().i64(f.timestamp).u32(f.count).u64(f.indexOffset).bytes(f.indexMac).u32(f.flags).finish();
}

/**
 * A packfile's raw index, checked (record count, each record inside the data section) and looked
 * up in place: records sorted by (type, MAC) through a permutation, no object per record.
 */
export class IndexTable {
  readonly count: number;
  private readonly view: DataView;
  private readonly order: Uint32Array;

  constructor(private readonly raw: Uint8Array, footer: Footer) {
    if (raw.length % BLOB_RECORD_SIZE !== 0) throw new IntegrityError(`packfile index: length ${raw.length} is not a multiple of ${BLOB_RECORD_SIZE}`);
    const n = raw.length / BLOB_RECORD_SIZE;
    if (n !== footer.count) throw new IntegrityError(`packfile index: ${n} records, footer says ${footer.count}`);
    this.count = n;
    this.view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < n; i++) {
      if (this.offset(i) + this.length(i) > footer.indexOffset) throw new IntegrityError(`packfile index: record ${i} lies outside the data section`);
    }
    this.order = new Uint32Array(n);
    for (let i = 0; i < n; i++) this.order[i] = i;
    this.order.sort((a, b) => this.compare(a * BLOB_RECORD_SIZE, this.raw, b * BLOB_RECORD_SIZE + 8, this.type(b)));
  }

  private type(i: number): number {
    return this.view.getUint32(i * BLOB_RECORD_SIZE, true);
  }

  private offset(i: number): number {
    const p = i * BLOB_RECORD_SIZE + 40;
    const hi = this.view.getUint32(p + 4, true);
    if (hi > 0x1fffff) throw new IntegrityError(`packfile index: record ${i} offset out of range`);
    return hi * 2 ** 32 + this.view.getUint32(p, true);
  }

  private length(i: number): number {
    return this.view.getUint32(i * BLOB_RECORD_SIZE + 48, true);
  }

  /** The record at raw[p] against (type, the MAC at mac[m]). */
  private compare(p: number, mac: Uint8Array, m: number, type: number): number {
    const t = this.view.getUint32(p, true);
    if (t !== type) return t < type ? -1 : 1;
    for (let k = 0; k < 32; k++) {
      const d = this.raw[p + 8 + k]! - mac[m + k]!;
      if (d !== 0) return d;
    }
    return 0;
  }

  /** Where the index places a blob, or null if it does not list it. */
  find(type: number, mac: Uint8Array): { offset: number; length: number } | null {
    let lo = 0;
    let hi = this.count - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const i = this.order[mid]!;
      const c = this.compare(i * BLOB_RECORD_SIZE, mac, 0, type);
      if (c === 0) return { offset: this.offset(i), length: this.length(i) };
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return null;
  }

  record(i: number): IndexRecord {
    const r = new ByteReader(this.raw.subarray(i * BLOB_RECORD_SIZE, (i + 1) * BLOB_RECORD_SIZE), 'packfile index');
    return { type: r.u32(), version: r.u32(), mac: r.bytes(32), offset: r.u64(), length: r.u32(), flags: r.u32() };
  }
}

/** The raw index as records, in its own order (checked as IndexTable checks it). */
export function parseIndex(raw: Uint8Array, footer: Footer): IndexRecord[] {
  const t = new IndexTable(raw, footer);
  return Array.from({ length: t.count }, (_, i) => t.record(i));
}

export function serializeIndexRecord(w: ByteWriter, r: IndexRecord): void {
  w.u32(r.type).u32(r.version).bytes(r.mac).u64(r.offset).u32(r.length).u32(r.flags);
}
