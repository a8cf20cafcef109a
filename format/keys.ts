import { checkCompressionAlgorithm, compress, decompress, type CompressionAlgorithm } from './codec/compression.js';
import type { Hasher } from './crypto/blake3.js';
import { macFactory, macFunction } from './crypto/mac.js';
import { Lz4FrameStream } from './codec/lz4frame.js';
import { decryptStream, encryptedLength, encryptStreamInto, SealStream } from './crypto/stream.js';
import { UnsupportedError } from './errors.js';
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

  /** The encoding of `data`, in a new array of its own. */
  encode(data: Uint8Array): Uint8Array {
    let out!: Uint8Array;
    this.encodeInto(data, (n) => {
      out = new Uint8Array(n);
      return [out, 0];
    });
    return out;
  }

  /**
   * encode() of data given in pieces, for data too big to hold at once (a large ptar's index and
   * state): the same encoding, never held whole. push() and end() return the encoding's next
   * bytes, in arrays the caller owns.
   */
  encodeStream(): EncodeStream {
    if (this.compression !== null && this.compression !== 'LZ4') throw new UnsupportedError(`streamed ${this.compression} compression is not supported`);
    const lz4 = this.compression ? new Lz4FrameStream() : null;
    const seal = this.master && this.config.encryption ? new SealStream(this.config.encryption, this.master) : null;
    const sealed = (pieces: Uint8Array[]): Uint8Array[] => (seal ? pieces.flatMap((p) => seal.push(p)) : pieces);
    return {
      push: (data) => sealed(lz4 ? lz4.push(data) : [data.slice()]),
      end: () => [...sealed(lz4 ? lz4.end() : []), ...(seal ? seal.end() : [])],
    };
  }

  /**
   * encode() into the caller's memory: `place(n)` says where the n encoded bytes go (an array and
   * an offset with room for them). Returns n.
   */
  encodeInto(data: Uint8Array, place: (n: number) => [Uint8Array, number]): number {
    const packed = this.compression ? compress(this.compression, data) : data;
    const enc = this.config.encryption;
    if (this.master && enc) {
      const n = encryptedLength(enc, packed.length);
      const [buf, at] = place(n);
      encryptStreamInto(enc, this.master, packed, buf, at);
      return n;
    }
    const [buf, at] = place(packed.length);
    buf.set(packed, at);
    return packed.length;
  }
}

export interface EncodeStream {
  push(data: Uint8Array): Uint8Array[];
  end(): Uint8Array[];
}
