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

/** Parses the raw index and checks each record lies inside the data section. */
export function parseIndex(raw: Uint8Array, footer: Footer): IndexRecord[] {
  if (raw.length % BLOB_RECORD_SIZE !== 0) throw new IntegrityError(`packfile index: length ${raw.length} is not a multiple of ${BLOB_RECORD_SIZE}`);
  const n = raw.length / BLOB_RECORD_SIZE;
  if (n !== footer.count) throw new IntegrityError(`packfile index: ${n} records, footer says ${footer.count}`);
  const r = new ByteReader(raw, 'packfile index');
  const out: IndexRecord[] = [];
  for (let i = 0; i < n; i++) {
    const rec = { type: r.u32(), version: r.u32(), mac: r.bytes(32), offset: r.u64(), length: r.u32(), flags: r.u32() };
    if (rec.offset + rec.length > footer.indexOffset) throw new IntegrityError(`packfile index: record ${i} lies outside the data section`);
    out.push(rec);
  }
  return out;
}

export function serializeIndexRecord(w: ByteWriter, r: IndexRecord): void {
  w.u32(r.type).u32(r.version).bytes(r.mac).u64(r.offset).u32(r.length).u32(r.flags);
}
