import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSnapshots } from '../format/manifest.js';
import { Repository } from '../format/repository.js';
import { PtarStore } from '../format/store/ptar.js';
import { entropy } from '../format/write/entropy.js';
import { ENTROPY_WASM } from '../format/write/entropy-wasm.js';
import { native, setNativeDisabled } from '../format/native/native.js';
import { assemble } from '../scripts/gen-wasm.mjs';
import { fixture, PASSPHRASE } from './helpers.js';

afterAll(() => setNativeDisabled(false));

// The real Kloset stored each chunk's and each file's entropy; ours must be the same doubles, from
// the native kernel and from the WebAssembly one.
describe.each(['native', 'wasm'])('entropies are bit-identical to the real Kloset (Go math.Log2 on amd64): %s', (path) => {
  for (const name of ['tiny-plain', 'chunky-plain', 'many-enc', 'multi-plain'] as const) {
    it(name, async () => {
      setNativeDisabled(path === 'wasm');
      const repo = await Repository.open(await PtarStore.open(fixture(name)), async () => PASSPHRASE);
      let files = 0;
      for (const snap of await loadSnapshots(repo)) {
        for await (const e of snap.walk(await snap.rootEntry())) {
          if (!e.object.some((b) => b !== 0)) continue;
          const obj = await snap.getObject(e.object);
          let weighted = 0;
          let size = 0;
          let i = 0;
          for await (const c of snap.readChunks(obj)) {
            const x = entropy(c);
            expect(x, `${e.path} chunk ${i}`).toBe(obj.chunks[i++]!.entropy);
            weighted += x * c.length;
            size += c.length;
          }
          expect(size > 0 ? weighted / size : 0, e.path).toBe(obj.entropy);
          files++;
        }
      }
      await repo.close();
      setNativeDisabled(false);
      expect(files).toBeGreaterThan(0);
    });
  }
});

describe('native entropy kernel', () => {
  it('gives the same doubles as the WebAssembly path on random, skewed and text data of every size class', () => {
    expect(native()).not.toBeNull();
    const inputs: Uint8Array[] = [];
    for (let i = 0; i < 400; i++) {
      const n = i < 100 ? i : (i * 7919) % 300_000;
      const kind = i % 4;
      const d = kind === 0 ? new Uint8Array(randomBytes(n)) : new Uint8Array(n);
      for (let j = 0; j < n && kind !== 0; j++) d[j] = kind === 1 ? 97 + ((j * 31 + i) % 26) : kind === 2 ? (j * j) & 0xff : j % 5 === 0 ? 0 : 32;
      inputs.push(d);
    }
    const nat = inputs.map((d) => entropy(d));
    setNativeDisabled(true);
    try {
      inputs.forEach((d, i) => expect(entropy(d), `input ${i}`).toBe(nat[i]));
    } finally {
      setNativeDisabled(false);
    }
  });
});

describe('entropy histogram kernel', () => {
  const naive = (d: Uint8Array): number => {
    const counts = new Array<number>(256).fill(0);
    for (const b of d) counts[b]!++;
    let e = 0;
    for (const c of counts) if (c > 0) e -= (c / d.length) * Math.log2(c / d.length);
    return e;
  };

  it('counts every byte whatever the length, the alignment and the size of earlier inputs', () => {
    const big = randomBytes(9 << 20);
    for (const len of [0, 1, 7, 8, 9, 15, 17, 4095, 65536 + 3, 9 << 20, 5]) {
      const d = big.subarray(3, 3 + len);
      expect(entropy(d)).toBeCloseTo(naive(d), 12);
    }
    const skewed = new Uint8Array(100_003).map((_, i) => (i % 7 === 0 ? 200 : i % 3));
    expect(entropy(skewed)).toBeCloseTo(naive(skewed), 12);
    expect(entropy(new Uint8Array(1000))).toBe(0);
  });

  it('embedded bytes equal a fresh assembly of entropy.wat', async () => {
    const fresh = (await assemble('entropy')) as Uint8Array;
    expect(Buffer.from(ENTROPY_WASM).equals(Buffer.from(fresh))).toBe(true);
  });
});
