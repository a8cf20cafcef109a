import { checkCompressionAlgorithm, compress, decompress, type CompressionAlgorithm } from './codec/compression.js';
import type { Hasher } from './crypto/blake3.js';
import { macFactory, macFunction } from './crypto/mac.js';
import { decryptStream, encryptStream } from './crypto/stream.js';
import type { Configuration } from './storage/config.js';

/**
 * What a configuration and its master key (null when plaintext) determine for every stored
 * object: the MAC that names blobs and seals wrappers, and the encoding
 * encode(x) = encrypt(compress(x)), each step present only if configured.
 */
export class Codec {
  readonly newMac: () => Hasher;
  readonly computeMac: (data: Uint8Array) => Uint8Array;
  private readonly compression: CompressionAlgorithm | null;

  constructor(readonly config: Configuration, readonly master: Uint8Array | null) {
    this.newMac = macFactory(config, master);
    this.computeMac = macFunction(config, master);
    this.compression = config.compression ? checkCompressionAlgorithm(config.compression.algorithm) : null;
  }

  get encrypted(): boolean {
    return this.master !== null;
  }

  decode(data: Uint8Array, what: string): Uint8Array {
    let out = data;
    if (this.master && this.config.encryption) out = decryptStream(this.config.encryption, this.master, out, what);
    if (this.compression) out = decompress(this.compression, out, what);
    return out;
  }

  encode(data: Uint8Array): Uint8Array {
    let out = data;
    if (this.compression) out = compress(this.compression, out);
    if (this.master && this.config.encryption) out = encryptStream(this.config.encryption, this.master, out);
    return out;
  }
}
