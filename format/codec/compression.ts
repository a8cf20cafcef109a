import { gunzipSync, gzipSync } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
import { IntegrityError, UnsupportedError } from '../errors.js';
import { lz4Frame, lz4Unframe } from './lz4frame.js';

export type CompressionAlgorithm = 'LZ4' | 'GZIP' | 'ZSTD';

/** Largest decoded object we accept; Kloset objects are at most a chunk (8 MiB) or one state/index. */
const MAX_DECODED = 1 << 30;

export function checkCompressionAlgorithm(name: string): CompressionAlgorithm {
  if (name === 'LZ4' || name === 'GZIP' || name === 'ZSTD') return name;
  throw new UnsupportedError(`unsupported compression algorithm ${JSON.stringify(name)}`);
}

export function decompress(alg: CompressionAlgorithm, data: Uint8Array, what: string): Uint8Array {
  try {
    switch (alg) {
      case 'LZ4':
        return lz4Unframe(data, MAX_DECODED);
      case 'GZIP':
        return gunzipSync(data, { maxOutputLength: MAX_DECODED });
      case 'ZSTD':
        return zstdDecompress(data);
    }
  } catch (e) {
    throw new IntegrityError(`${what}: ${alg} decompression failed (${(e as Error).message})`);
  }
}

/** The compressed bytes; for LZ4, often a view of a buffer the next call reuses (see lz4Frame). */
export function compress(alg: CompressionAlgorithm, data: Uint8Array): Uint8Array {
  switch (alg) {
    case 'LZ4':
      return lz4Frame(data);
    case 'GZIP':
      return gzipSync(data);
    case 'ZSTD':
      throw new UnsupportedError('writing ZSTD-compressed repositories is not supported (plakar v1.1.4 cannot read them)');
  }
}
