import { ByteWriter } from '../binary.js';
import type { Codec } from '../keys.js';
import { serializeFooter } from '../packfile.js';

/**
 * What ends a packfile body after its blobs: the encoded index, the encoded footer (which points
 * at the index and carries its MAC), and the encoded footer's length as a u32.
 */
export function packfileTrailer(codec: Codec, rawIndex: Uint8Array, count: number, dataLength: number): Uint8Array[] {
  const footer = serializeFooter({ timestamp: 0n, count, indexOffset: dataLength, indexMac: codec.computeMac(rawIndex), flags: 0 });
  const encodedFooter = codec.encode(footer);
  return [codec.encode(rawIndex), encodedFooter, new ByteWriter().u32(encodedFooter.length).finish()];
}
