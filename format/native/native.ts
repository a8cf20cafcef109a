/**
 * The project's own native addon (format/native/*.c, built by node-gyp on `npm install`): the
 * per-blob kernels of a backup (AES-NI/PCLMULQDQ GCM-SIV and AES key wrap, one-chunk keyed BLAKE3,
 * LZ4 blocks, entropy), lstat for the walk and memory settings. Optional: where it was not built,
 * or the CPU lacks the instructions, native() is null and callers keep their WebAssembly or library paths, which the
 * tests hold the addon to.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface NativeAddon {
  supported(): boolean;
  /** out[at, at + n + 16) = AES-256-GCM-SIV ciphertext ‖ tag of plaintext (no associated data). */
  seal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, out: Uint8Array, at: number): void;
  /** True, with the plaintext in out[0, n), when sealed (ciphertext ‖ tag) verifies; else out is zeroed. */
  open(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, out: Uint8Array): boolean;
  /** Kloset's stream body: each chunkSize piece of plain as nonce ‖ ciphertext ‖ tag, written at out[at]. */
  sealStream(subkey: Uint8Array, nonces: Uint8Array, plain: Uint8Array, chunkSize: number, out: Uint8Array, at: number): void;
  /** AES-KW (RFC 3394) of each 32-byte key of `keys` under the 32-byte kek: 40 bytes each in out. */
  wrapKeys(kek: Uint8Array, keys: Uint8Array, out: Uint8Array): void;
  /** out[0, 32) = keyed BLAKE3 of data, at most 1024 bytes (one chunk). */
  blake3KeyedSmall(key: Uint8Array, data: Uint8Array, out: Uint8Array): void;
  /** data compressed as one LZ4 block at out[at] (room for n + n/255 + 16 bytes); returns its size. */
  lz4Block(data: Uint8Array, out: Uint8Array, at: number): number;
  /** The LZ4 block src decoded into out[pos, cap) (matches may reach back to out[0]); the position after it, or -1 if malformed. */
  lz4Unblock(src: Uint8Array, out: Uint8Array, pos: number, cap: number): number;
  /**
   * lstat(2) of path: 0 with numbers = [mode, nlink, uid, gid, size, mtime s, mtime ns] and
   * ids = [dev, ino], or the errno.
   */
  lstat(path: string, numbers: Float64Array, ids: BigUint64Array): number;
  /** utimensat(2): both times of path set to sec + nsec, exactly; 0 or the errno. */
  utimens(path: string, sec: number, nsec: number, follow: boolean): number;
  /** Kloset's entropy of a chunk, bit-identical to format/write/entropy.ts. */
  entropy(data: Uint8Array): number;
  tuneMemory(mmapThreshold: number): boolean;
}

let addon: NativeAddon | null | undefined;
let disabled = process.env.PTAR_KIT_NO_NATIVE === '1';

function load(): NativeAddon | null {
  // Built into <package>/build/Release: two levels up from the sources, three from dist/.
  const here = dirname(fileURLToPath(import.meta.url));
  for (const up of ['../..', '../../..']) {
    const file = join(here, up, 'build', 'Release', 'ptar_native.node');
    if (!existsSync(file)) continue;
    try {
      const a = createRequire(import.meta.url)(file) as NativeAddon;
      return a.supported() ? a : null;
    } catch {
      return null;
    }
  }
  return null;
}

/** The addon, or null where it is unavailable (or disabled by PTAR_KIT_NO_NATIVE=1 or setNativeDisabled). */
export function native(): NativeAddon | null {
  if (disabled) return null;
  return (addon ??= load());
}

/**
 * Large buffers (read buffers, worker batches, codec scratch) are allocated and dropped all through
 * a backup; above glibc's default threshold, which grows as they are freed, they come from arenas
 * that keep their peak. Mapping each on its own from 256 KiB gives them back when freed: a
 * /usr/share create peaks at ~275 MB instead of ~330 MB, for ~0.2 s more system time.
 *
 * No transparent huge pages either: the Argon2id library asks for them for its 256 MiB, and on
 * the virtual machines measured (bench/create) a fresh huge page costs far more to fault in than
 * 512 small ones: the key derivation took 0.7-1.1 s with them and a steady ~0.55 s without
 * (though ~0.1 s more CPU in TLB misses, and 0.43 s when huge pages are warm).
 */
export function tuneMemory(): void {
  native()?.tuneMemory(256 * 1024);
}

/** Tests and benchmarks: run the WebAssembly paths even where the addon is available. */
export function setNativeDisabled(v: boolean): void {
  disabled = v;
}
