import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { lz4Frame, Lz4FrameStream } from '../format/codec/lz4frame.js';
import { Codec } from '../format/keys.js';
import { defaultConfiguration } from '../format/write/config.js';
import type { Configuration } from '../format/storage/config.js';

const MiB = 1 << 20;

/** Compressible, with incompressible stretches: both kinds of LZ4 block. */
function sample(n: number): Uint8Array {
  const out = new Uint8Array(n);
  const text = Buffer.from('ptar-kit streams the index and the state of large archives. ');
  for (let p = 0; p < n; p += text.length) out.set(text.subarray(0, Math.min(text.length, n - p)), p);
  for (let p = 3 * MiB; p + 300_000 < n; p += 5 * MiB) out.set(randomBytes(300_000), p);
  return out;
}

/** Feeds data to push() in pieces of varied sizes (1 byte to a few MiB) and joins what comes out. */
function streamed(s: { push(d: Uint8Array): Uint8Array[]; end(): Uint8Array[] }, data: Uint8Array, seed: number): Uint8Array {
  const out: Uint8Array[] = [];
  const sizes = [1, 7, 65535, 65536, 65537, 1000, 3 * MiB, 4 * MiB + 1, 12345];
  for (let p = 0, i = seed; p < data.length; i++) {
    const n = Math.min(sizes[i % sizes.length]!, data.length - p);
    out.push(...s.push(data.subarray(p, p + n)));
    p += n;
  }
  out.push(...s.end());
  return Buffer.concat(out);
}

function encrypted(): { config: Configuration; master: Uint8Array } {
  const config = defaultConfiguration();
  config.encryption = { subKeyAlgorithm: 'AES256-KW', dataAlgorithm: 'AES256-GCM-SIV', chunkSize: 65536, kdfParams: null as never, canary: new Uint8Array(0) };
  return { config, master: new Uint8Array(randomBytes(32)) };
}

describe('streamed encoding (a large ptar index and state)', () => {
  const sizes = [0, 1, 65536, 4 * MiB, 4 * MiB + 1, 9 * MiB + 4321];

  it('builds the same LZ4 frame as lz4Frame() of the whole, whatever the pieces', () => {
    for (const n of sizes) {
      const data = sample(n);
      const whole = lz4Frame(data).slice();
      for (const seed of [0, 3, 5]) expect(Buffer.compare(streamed(new Lz4FrameStream(), data, seed), whole), `${n} bytes, seed ${seed}`).toBe(0);
    }
  });

  it('equals encode() byte for byte when plaintext, with and without compression', () => {
    for (const compression of [true, false]) {
      const config = defaultConfiguration();
      if (!compression) config.compression = null;
      const codec = new Codec(config, null);
      for (const n of sizes) {
        const data = sample(n);
        expect(Buffer.compare(streamed(codec.encodeStream(), data, n), codec.encode(data)), `${n} bytes`).toBe(0);
      }
    }
  });

  it('when encrypted, decodes to the data and has the length of encode() (one subkey, the same chunks)', () => {
    const { config, master } = encrypted();
    const codec = new Codec(config, master);
    for (const n of sizes) {
      const data = sample(n);
      const enc = streamed(codec.encodeStream(), data, n);
      expect(enc.length, `${n} bytes`).toBe(codec.encode(data).length);
      expect(Buffer.compare(codec.decode(enc, 'test'), data), `${n} bytes`).toBe(0);
      // The chunks are sealed with their own nonces: a flipped byte anywhere is caught.
      if (n > 0) {
        enc[enc.length >> 1]! ^= 1;
        expect(() => codec.decode(enc, 'test')).toThrow();
      }
    }
  });
});
