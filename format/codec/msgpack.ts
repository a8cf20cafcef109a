import { decode, ExtensionCodec, decodeTimestampToTimeSpec } from '@msgpack/msgpack';
import { IntegrityError } from '../errors.js';
import { GoTime } from '../gotime.js';

const extensionCodec = new ExtensionCodec();
// Go's msgpack encodes time.Time as the timestamp extension (-1) with nanoseconds; a JS Date would
// drop them, and mtimes must survive to the nanosecond.
extensionCodec.register({
  type: -1,
  encode: () => null,
  decode: (data: Uint8Array) => {
    const { sec, nsec } = decodeTimestampToTimeSpec(data);
    return new GoTime(sec, nsec);
  },
});

/**
 * Decodes one msgpack value as written by Go's vmihailenco/msgpack. 64-bit integers come back as
 * bigint (field decoders narrow them), timestamps as GoTime; any malformed input is an IntegrityError.
 */
export function unpack(buf: Uint8Array, what: string): unknown {
  try {
    return decode(buf, { extensionCodec, useBigInt64: true });
  } catch (e) {
    throw new IntegrityError(`${what}: malformed msgpack (${(e as Error).message})`);
  }
}
