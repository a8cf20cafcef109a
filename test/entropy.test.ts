import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadSnapshots } from '../format/manifest.js';
import { Repository } from '../format/repository.js';
import { PtarStore } from '../format/store/ptar.js';
import { entropy } from '../format/write/entropy.js';
import { ENTROPY_WASM } from '../format/write/entropy-wasm.js';
import { assemble } from '../scripts/gen-wasm.mjs';
import { fixture, PASSPHRASE } from './helpers.js';

// The real Kloset stored each chunk's and each file's entropy; ours must be the same doubles.
describe('entropies are bit-identical to the real Kloset (Go math.Log2 on amd64)', () => {
  for (const name of ['tiny-plain', 'chunky-plain', 'many-enc', 'multi-plain'] as const) {
    it(name, async () => {
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
      expect(files).toBeGreaterThan(0);
    });
  }
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
