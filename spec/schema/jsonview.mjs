// The JSON view of a msgpack record, over which the schemas of this directory are written
// (README.md describes the mapping). Depends only on @msgpack/msgpack.
import { decode, decodeTimestampToTimeSpec, ExtensionCodec } from '@msgpack/msgpack';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

const codec = new ExtensionCodec();
codec.register({
  type: -1,
  encode: () => null,
  // The timestamp extension (Go time.Time) in its 4-, 8- or 12-byte form.
  decode: (data) => {
    const { sec, nsec } = decodeTimestampToTimeSpec(data);
    return { $time: { sec, nsec } };
  },
});

function view(v, path) {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`${path}: non-finite number`);
    return v;
  }
  if (typeof v === 'bigint') return v >= -MAX_SAFE && v <= MAX_SAFE ? Number(v) : v.toString();
  if (v instanceof Uint8Array) return { $bin: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex') };
  if (Array.isArray(v)) return v.map((x, i) => view(x, `${path}[${i}]`));
  if (typeof v === 'object' && '$time' in v) {
    const { sec, nsec } = v.$time;
    return { $time: { sec: typeof sec === 'bigint' ? view(sec, path) : sec, nsec } };
  }
  if (typeof v === 'object' && v.constructor?.name === 'ExtData') {
    return { $ext: { type: v.type, data: Buffer.from(v.data).toString('hex') } };
  }
  if (typeof v === 'object') {
    const out = {};
    for (const [k, x] of Object.entries(v)) out[k] = view(x, `${path}.${k}`);
    return out;
  }
  throw new Error(`${path}: unexpected value ${String(v)}`);
}

/**
 * Decodes one msgpack value (exactly, no trailing bytes) into its JSON view:
 * nil → null, integers → numbers (decimal strings beyond ±(2^53−1)), floats → numbers,
 * str → string, bin → {"$bin": hex}, timestamp ext −1 → {"$time": {sec, nsec}},
 * other ext → {"$ext": {type, data}}, arrays → arrays, maps → objects (string keys only).
 */
export function jsonView(bytes) {
  const v = decode(bytes, { extensionCodec: codec, useBigInt64: true, mapKeyConverter: (k) => {
    if (typeof k !== 'string') throw new Error(`map key ${String(k)} is not a string`);
    return k;
  } });
  return view(v, '$');
}
