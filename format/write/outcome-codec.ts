import { ByteReader, type ByteWriter } from '../binary.js';
import { contentTypeKey } from './content.js';
import type { FileOutcome } from './files.js';

/*
 * What an encoder thread sends back per file (its outcome), as bytes: structured cloning of the
 * objects cost more on both threads than this. Per file: id u32, has-record u8, errors (u32 count;
 * path, text), attributes (u32 count; key, MAC), then if recorded: blob type u16, MAC, entry
 * length u32 and bytes, size f64, objects u32, chunks u32, mode u32, modTime f64, entropy f64,
 * content type. Strings are ByteWriter.utf8; numbers little-endian.
 */

export function writeOutcome(w: ByteWriter, id: number, o: FileOutcome): void {
  w.u32(id).u8(o.record ? 1 : 0);
  w.u32(o.errors.length);
  for (const e of o.errors) w.utf8(e.path).utf8(e.text);
  w.u32(o.xattrs.length);
  for (const x of o.xattrs) w.utf8(x.key).bytes(x.mac);
  const r = o.record;
  if (!r) return;
  const s = r.summary;
  w.u16(r.blob.type).bytes(r.blob.mac).u32(r.blob.data.length).bytes(r.blob.data);
  w.f64(s.size).u32(s.objects).u32(s.chunks).u32(s.mode).f64(s.modTime).f64(s.entropy).utf8(s.contentType);
}

/** The outcomes in `buf`, with each file's path (for its content-type key) from its id. */
export function* readOutcomes(buf: Uint8Array, pathOf: (id: number) => string): Generator<{ id: number; outcome: FileOutcome }> {
  const r = new ByteReader(buf, 'file outcome');
  while (r.remaining > 0) {
    const id = r.u32();
    const recorded = r.u8() === 1;
    const outcome: FileOutcome = { record: null, xattrs: [], errors: [] };
    for (let n = r.u32(); n > 0; n--) outcome.errors.push({ path: r.utf8(), text: r.utf8() });
    for (let n = r.u32(); n > 0; n--) outcome.xattrs.push({ key: r.utf8(), mac: r.bytes(32).slice() });
    if (recorded) {
      const type = r.u16();
      const mac = r.bytes(32).slice();
      const data = r.bytes(r.u32()).slice();
      const size = r.f64();
      const objects = r.u32();
      const chunks = r.u32();
      const mode = r.u32();
      const modTime = r.f64();
      const entropy = r.f64();
      const contentType = r.utf8();
      outcome.record = {
        blob: { type, mac, data },
        summary: { size, objects, chunks, mode, modTime, contentType, entropy },
        contentTypeKey: contentTypeKey(contentType, pathOf(id)),
        size,
      };
    }
    yield { id, outcome };
  }
}
