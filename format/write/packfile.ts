import { ByteWriter } from '../binary.js';
import type { Codec } from '../keys.js';
import { serializeFooter } from '../packfile.js';

/**
 * What ends a packfile body after its blobs: the encoded index, the encoded footer (which points
 * at the index and carries its MAC), and the encoded footer's length as a u32.
 */
export function packfileTrailer(codec: Codec, rawIndex: Uint8Array, count: number, dataLength: number): Uint8Array[] {
  return [codec.encode(rawIndex), ...packfileFooter(codec, codec.computeMac(rawIndex), count, dataLength)];
}

/** The trailer's end, after the encoded index: the encoded footer and its length. */
export function packfileFooter(codec: Codec, indexMac: Uint8Array, count: number, dataLength: number): Uint8Array[] {
  const encodedFooter = codec.encode(serializeFooter({ timestamp: 0n, count, indexOffset: dataLength, indexMac, flags: 0 }));
  return [encodedFooter, new ByteWriter().u32(encodedFooter.length).finish()];
}
