import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IntegrityError } from '../format/errors.js';
import { DirectoryStore } from '../format/store/directory.js';
import { PackfileCache } from '../format/store/packfile-cache.js';

const work = mkdtempSync(join(tmpdir(), 'packfile-cache-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('PackfileCache', () => {
  it('serves exact ranges of whole fetched packfiles, fetching each once while it stays cached, under eviction', async () => {
    const store = new DirectoryStore(work, join(work, 's'));
    await store.create(new Uint8Array([1, 2, 3]));
    const packs = [0, 1, 2].map(() => ({ id: new Uint8Array(randomBytes(32)), data: new Uint8Array(randomBytes(100_000)) }));
    for (const p of packs) await store.putPackfile(p.id, p.data);
    let fetches = 0;
    const counting = Object.create(store) as DirectoryStore;
    counting.readPackfile = (id, off, len) => {
      fetches++;
      return store.readPackfile(id, off, len);
    };
    const cache = await PackfileCache.wrap(counting, 2);
    // many concurrent reads over three packfiles with room for two: evictions happen mid-flight
    const reads = Array.from({ length: 300 }, (_, i) => {
      const p = packs[i % 3]!;
      const off = (i * 7919) % 90_000;
      return cache.readPackfile(p.id, off, 1000).then((b) => expect(Buffer.from(b).equals(Buffer.from(p.data.subarray(off, off + 1000)))).toBe(true));
    });
    await Promise.all(reads);
    fetches = 0;
    for (let i = 0; i < 10; i++) await cache.readPackfile(packs[0]!.id, i, 10);
    expect(fetches).toBeLessThanOrEqual(1);
    await expect(cache.readPackfile(packs[0]!.id, 99_990, 20)).rejects.toBeInstanceOf(IntegrityError);
    await cache.close();
  });
});
