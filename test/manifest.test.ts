import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildManifest, goJson, MANIFEST_TOOL } from '../format/manifest.js';
import { Repository } from '../format/repository.js';
import { PtarStore } from '../format/store/ptar.js';
import { FIXTURES, fixture, PASSPHRASE, REAL } from './helpers.js';

async function open(name: string): Promise<Repository> {
  return Repository.open(await PtarStore.open(fixture(name)), async (n) => (n === 1 ? PASSPHRASE : null));
}

describe('manifest reproduces the real Kloset manifests byte for byte', () => {
  for (const name of FIXTURES) {
    it(name, async () => {
      const repo = await open(name);
      try {
        const ours = goJson(await buildManifest(repo, fixture(name)));
        const theirs = readFileSync(join(REAL, `${name}.manifest.json`), 'utf8');
        // Only the producing tool's self-description differs.
        const toolLine = /"tool": "[^"]*"/;
        expect(ours.replace(toolLine, '"tool": ""')).toBe(theirs.trimEnd().replace(toolLine, '"tool": ""'));
        expect(ours).toContain(MANIFEST_TOOL);
      } finally {
        await repo.close();
      }
    });
  }
});
