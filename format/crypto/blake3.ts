/**
 * Streaming hashers for Kloset's MACs and digests: BLAKE3 (plain and keyed) on the native
 * @napi-rs/blake-hash, with @noble/hashes' blake3 as a fallback if the native binary cannot load,
 * and SHA-256 / HMAC-SHA256 on node:crypto.
 *
 * No hot-path copies: update() hands the caller's Uint8Array straight to the native code (napi and
 * node:crypto accept any ArrayBufferView), and digest() returns a Uint8Array view of the Buffer the
 * native side produced.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { blake3 as nobleBlake3 } from '@noble/hashes/blake3.js';
import { native } from '../native/native.js';

export interface Hasher {
  update(data: Uint8Array): void;
  /** The digest; call once. */
  digest(): Uint8Array;
}

interface NativeBlake3Hasher {
  update(input: Uint8Array): unknown;
  /**
   * The digest as hex. Not digestBuffer(): its Buffer's memory is native and outside V8's count,
   * like the hashers', and a million of them held 300 MB until a collection came.
   */
  digest(format: 'hex'): string;
  reset(): void;
}
interface NativeBlake3Ctor {
  new (): NativeBlake3Hasher;
  newKeyed(key: Buffer): NativeBlake3Hasher;
}

let nativeCtor: NativeBlake3Ctor | null | undefined;
let preferJs = false;

function loadNative(): NativeBlake3Ctor | null {
  if (nativeCtor !== undefined) return nativeCtor;
  try {
    const m = createRequire(import.meta.url)('@napi-rs/blake-hash') as { Blake3Hasher?: NativeBlake3Ctor };
    nativeCtor = m.Blake3Hasher ?? null;
  } catch {
    nativeCtor = null;
  }
  return nativeCtor;
}

function digestOf(h: NativeBlake3Hasher): Uint8Array {
  return new Uint8Array(Buffer.from(h.digest('hex'), 'hex'));
}

function asBuffer(u: Uint8Array): Buffer {
  return Buffer.from(u.buffer, u.byteOffset, u.length);
}

/**
 * Idle native hashers, by key, reset after their digest. A napi-rs hasher holds ~2 KB of native
 * memory that V8 does not count, so a new one per object MAC piled up between garbage
 * collections: a million of them took 2.5 GB and 19 s; reused, they take neither.
 */
const idle = new WeakMap<object, NativeBlake3Hasher[]>();
const UNKEYED = {};
const IDLE_MAX = 16;

class NativeHasher implements Hasher {
  private h: NativeBlake3Hasher | null;
  constructor(h: NativeBlake3Hasher, private readonly pool: NativeBlake3Hasher[]) {
    this.h = h;
  }
  update(data: Uint8Array): void {
    this.h!.update(data);
  }
  digest(): Uint8Array {
    const h = this.h;
    if (h === null) throw new Error('BLAKE3: digest() called twice');
    this.h = null;
    const out = digestOf(h);
    if (this.pool.length < IDLE_MAX) {
      h.reset();
      this.pool.push(h);
    }
    return out;
  }
}

function pooled(owner: object, make: () => NativeBlake3Hasher): NativeHasher {
  let pool = idle.get(owner);
  if (!pool) idle.set(owner, (pool = []));
  return new NativeHasher(pool.pop() ?? make(), pool);
}

class NobleHasher implements Hasher {
  constructor(private readonly h: ReturnType<typeof nobleBlake3.create>) {}
  update(data: Uint8Array): void {
    this.h.update(data);
  }
  digest(): Uint8Array {
    return this.h.digest();
  }
}

class NodeHasher implements Hasher {
  constructor(private readonly h: Hash | Hmac) {}
  update(data: Uint8Array): void {
    this.h.update(data);
  }
  digest(): Uint8Array {
    const b = this.h.digest();
    return new Uint8Array(b.buffer, b.byteOffset, b.length);
  }
}

function nativeOrNull(): NativeBlake3Ctor | null {
  return preferJs ? null : loadNative();
}

/** BLAKE3 keyed hash (32-byte key), 32-byte output. */
export function blake3Keyed(key: Uint8Array): Hasher {
  if (key.length !== 32) throw new RangeError(`BLAKE3 key must be 32 bytes, got ${key.length}`);
  const n = nativeOrNull();
  if (n !== null) return pooled(key, () => n.newKeyed(asBuffer(key)));
  return new NobleHasher(nobleBlake3.create({ key }));
}

/**
 * One-shot keyed BLAKE3 for the hot path (a MAC per blob): inputs of one chunk (most blobs) in the
 * project's own addon, where a call costs ~0.3 µs against ~2.5 µs for the SIMD library's three;
 * longer ones in one SIMD hasher reset between calls, instead of a new native object each time.
 */
export function blake3KeyedOneShot(key: Uint8Array): (data: Uint8Array) => Uint8Array {
  const n = nativeOrNull();
  if (n === null) return (data) => nobleBlake3(data, { key });
  const h = n.newKeyed(asBuffer(key));
  const small = preferJs ? null : native();
  const k = key.slice();
  return (data) => {
    if (small !== null && data.length <= 1024) {
      const out = new Uint8Array(32);
      small.blake3KeyedSmall(k, data, out);
      return out;
    }
    h.reset();
    h.update(data);
    return digestOf(h);
  };
}

/** BLAKE3 hash, 32-byte output. */
export function blake3(): Hasher {
  const n = nativeOrNull();
  if (n !== null) return pooled(UNKEYED, () => new n());
  return new NobleHasher(nobleBlake3.create());
}

/** HMAC-SHA256 under `key`. */
export function hmacSha256(key: Uint8Array): Hasher {
  return new NodeHasher(createHmac('sha256', key));
}

/** SHA-256. */
export function sha256(): Hasher {
  return new NodeHasher(createHash('sha256'));
}

/** Which BLAKE3 implementation is in use: 'native' or 'js'. */
export function blake3Backend(): 'native' | 'js' {
  return nativeOrNull() !== null ? 'native' : 'js';
}

/** Forces the pure-JS BLAKE3 (true) or restores the native one when available (false): tests, benchmarks. */
export function setBlake3PreferJs(v: boolean): void {
  preferJs = v;
}
