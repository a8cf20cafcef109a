import { describe, expect, it } from 'vitest';
import { loadSnapshots } from '../format/manifest.js';
import { Repository } from '../format/repository.js';
import { PtarStore } from '../format/store/ptar.js';
import { entropy } from '../format/write/entropy.js';
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
