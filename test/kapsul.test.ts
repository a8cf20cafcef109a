import { createHash } from 'node:crypto';
import { copyFileSync, lstatSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listAttributesSync, getAttributeSync } from '@napi-rs/xattr';
import { afterAll, describe, expect, it } from 'vitest';
import { native } from '../format/native/native.js';
import { Repository } from '../format/repository.js';
import { RT } from '../format/resources.js';
import { PtarStore } from '../format/store/ptar.js';
import { wrapResource } from '../format/storage/wrapper.js';
import { FIXTURES, fixture, kapsul, REAL, runBin } from './helpers.js';

interface ManifestEntry {
  path: string;
  type: string;
  mode: string;
  size: number;
  mtime_unix_nano: string;
  sha256?: string;
  symlink_target?: string;
  xattrs: { name: string; value_base64: string }[];
}
interface Manifest {
  snapshots: { id: string; sources: { importer: { directory: string } }[]; entries: ManifestEntry[] }[];
}
interface Info {
  ptar_layout: { config_offset: number; packfile_offset: number; state_offset: number; state_length: number; file_size: number };
  packfiles: { footer: { index_offset: number }; blobs?: { type: string; offset: number; length: number }[] }[];
}

// Nanosecond times have 19 digits, more than a double holds: read them as strings.
const manifest = (name: string): Manifest =>
  JSON.parse(readFileSync(join(REAL, `${name}.manifest.json`), 'utf8').replace(/"mtime_unix_nano": *(\d+)/g, '"mtime_unix_nano": "$1"'));
const info = (name: string): Info => JSON.parse(readFileSync(join(REAL, `${name}.info.json`), 'utf8'));
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

const work = mkdtempSync(join(tmpdir(), 'kapsul-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function noStackTrace(stderr: string): void {
  expect(stderr).not.toMatch(/\n\s+at /);
  expect(stderr).not.toMatch(/Error:/);
}

describe('ls', () => {
  for (const name of FIXTURES) {
    it(`${name}: lists every snapshot, newest first`, async () => {
      const m = manifest(name);
      const r = await kapsul(fixture(name), ['ls']);
      expect(r.code).toBe(0);
      const lines = r.stdout.toString().trim().split('\n');
      expect(lines.map((l) => l.split(/\s+/)[1])).toEqual(m.snapshots.map((s) => s.id.slice(0, 8)).reverse());
      const json = JSON.parse((await kapsul(fixture(name), ['ls', '--json'])).stdout.toString()) as { id: string }[];
      expect(json.map((s) => s.id).sort()).toEqual(m.snapshots.map((s) => s.id).sort());
    });
  }

  it('lists a directory, recursively, and resolves relative paths against the importer root', async () => {
    const r = await kapsul(fixture('tiny-plain'), ['ls', '0e05db7a:nested']);
    expect(r.stdout.toString()).toMatch(/ a\n.* link-up -> \.\.\/hello\.txt\n$/);
    const rec = await kapsul(fixture('tiny-plain'), ['ls', '-recursive', '0e05:/data/fixtures/tiny/nested']);
    expect(rec.code).toBe(0);
    expect(rec.stdout.toString()).toContain('/data/fixtures/tiny/nested/a/b/c/deep.txt');
  });

  it('an unknown snapshot or path exits 66', async () => {
    const a = await kapsul(fixture('tiny-plain'), ['ls', 'ffff:']);
    expect(a.code).toBe(66);
    expect(a.stderr).toBe('kapsul: no snapshot has prefix: ffff\n');
    const b = await kapsul(fixture('tiny-plain'), ['ls', '0e05:/no/such']);
    expect(b.code).toBe(66);
  });

  it('an ambiguous prefix is a usage error', async () => {
    const r = await kapsul(fixture('multi-plain'), ['ls', ':']);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('ambiguous');
  });
});

describe('cat', () => {
  for (const name of FIXTURES) {
    it(`${name}: content hashes equal the manifest`, async () => {
      const m = manifest(name);
      for (const s of m.snapshots) {
        const files = s.entries.filter((e) => e.type === 'file');
        // a spread of files, all in one invocation (the manifest test hashes every file);
        // cat concatenates, so the output is checked against the sizes and hashes in order
        const sample = files.filter((_, i) => i % Math.ceil(files.length / 6) === 0);
        const r = await kapsul(fixture(name), ['cat', ...sample.map((e) => `${s.id.slice(0, 8)}:${e.path}`)]);
        expect(r.code, r.stderr).toBe(0);
        let at = 0;
        for (const e of sample) {
          expect(sha256(r.stdout.subarray(at, at + e.size)), e.path).toBe(e.sha256);
          at += e.size;
        }
        expect(at).toBe(r.stdout.length);
      }
    });
  }

  it('follows symlinks and refuses directories', async () => {
    const r = await kapsul(fixture('tiny-enc'), ['cat', '695c:link-to-hello']);
    expect(r.stdout.toString()).toBe('Hello, Kloset!\n');
    const d = await kapsul(fixture('tiny-enc'), ['cat', '695c:nested']);
    expect(d.code).toBe(1);
    expect(d.stderr).toBe('kapsul: 695c:nested: not a regular file\n');
  });
});

describe('restore', () => {
  for (const name of FIXTURES) {
    it(`${name}: restored tree equals the manifest (content, modes, mtimes, links, xattrs)`, async () => {
      const m = manifest(name);
      for (const s of m.snapshots) {
        const target = join(work, `${name}-${s.id.slice(0, 8)}`);
        const r = await kapsul(fixture(name), ['restore', '-to', target, s.id.slice(0, 8)]);
        expect(r.code, r.stderr).toBe(0);
        const root = s.sources[0]!.importer.directory;
        const expected = s.entries.filter((e) => e.path.startsWith(root + '/'));
        const seen = new Set<string>();
        for (const e of expected) {
          const p = join(target, e.path.slice(root.length + 1));
          seen.add(p);
          const st = lstatSync(p);
          expect((st.mode & 0o7777).toString(8).padStart(4, '0'), e.path).toBe(e.mode);
          // to the nanosecond with the addon; node's utimes alone takes seconds as a double
          const ns = lstatSync(p, { bigint: true }).mtimeNs - BigInt(e.mtime_unix_nano);
          if (native() !== null) expect(ns, e.path).toBe(0n);
          else expect(Math.abs(Number(ns)), e.path).toBeLessThan(1000);
          if (e.type === 'file') {
            expect(st.isFile(), e.path).toBe(true);
            expect(sha256(readFileSync(p)), e.path).toBe(e.sha256);
          } else if (e.type === 'symlink') {
            expect(readlinkSync(p), e.path).toBe(e.symlink_target);
          } else {
            expect(st.isDirectory(), e.path).toBe(true);
          }
          if (e.type !== 'symlink') {
            const names = listAttributesSync(p).filter((n) => n.startsWith('user.')).sort();
            expect(names, e.path).toEqual(e.xattrs.map((x) => x.name));
            for (const x of e.xattrs) expect(getAttributeSync(p, x.name)?.toString('base64')).toBe(x.value_base64);
          }
        }
        // nothing else was written, no temporary file left behind
        const walk = (d: string): string[] => readdirSync(d).flatMap((n) => {
          const p = join(d, n);
          return lstatSync(p).isDirectory() ? [p, ...walk(p)] : [p];
        });
        expect(walk(target).sort()).toEqual([...seen].sort());
      }
    });
  }

  it('reconstructs hard links', async () => {
    const target = join(work, 'hardlinks');
    await kapsul(fixture('tiny-plain'), ['restore', '-to', target, '0e05db7a']);
    expect(lstatSync(join(target, 'hello.txt')).ino).toBe(lstatSync(join(target, 'hardlink-to-hello.txt')).ino);
  });

  it('restores over a previous restore: files, symlinks and hard links are replaced, nothing else is left', async () => {
    const target = join(work, 'again');
    const snapshot = (): string[] => {
      const walk = (d: string): string[] => readdirSync(d).sort().flatMap((n) => {
        const p = join(d, n);
        const st = lstatSync(p);
        if (st.isDirectory()) return [`${p}/`, ...walk(p)];
        return [`${p} ${st.isSymbolicLink() ? `-> ${readlinkSync(p)}` : sha256(readFileSync(p))} links=${st.nlink}`];
      });
      return walk(target);
    };
    expect((await kapsul(fixture('tiny-plain'), ['restore', '-to', target, '0e05db7a'])).code).toBe(0);
    const first = snapshot();
    expect(first.some((l) => l.includes(' -> '))).toBe(true);
    expect(first.some((l) => l.endsWith('links=2'))).toBe(true);
    const r = await kapsul(fixture('tiny-plain'), ['restore', '-to', target, '0e05db7a']);
    expect(r.code, r.stderr).toBe(0);
    expect(snapshot()).toEqual(first);
  });

  it('a target that cannot be made fails with one line (inside /proc, where mkdir -p in node never returns)', async () => {
    const r = await kapsul(fixture('tiny-plain'), ['restore', '-to', '/proc/ptar-kit-no-such-dir/x', '0e05db7a']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toBe("kapsul: ENOENT: no such file or directory, mkdir '/proc/ptar-kit-no-such-dir'\n");
  });

  it('restores a single file and a subdirectory', async () => {
    const target = join(work, 'single');
    expect((await kapsul(fixture('chunky-plain'), ['restore', '-to', target, '7f4d0242:text-3MiB.txt'])).code).toBe(0);
    expect(readdirSync(target)).toEqual(['text-3MiB.txt']);
    const sub = join(work, 'sub');
    expect((await kapsul(fixture('tiny-enc'), ['restore', '-to', sub, '695c:nested/a'])).code).toBe(0);
    expect(readdirSync(sub).sort()).toEqual(['b', 'sibling.md']);
  });
});

describe('check', () => {
  for (const name of FIXTURES) {
    it(`${name}: passes`, async () => {
      const r = await kapsul(fixture(name), ['check']);
      expect(r.code, r.stderr).toBe(0);
      const j = JSON.parse((await kapsul(fixture(name), ['check', '--json'])).stdout.toString()) as { ok: boolean; snapshots: unknown[] };
      expect(j.ok).toBe(true);
      expect(j.snapshots.length).toBe(manifest(name).snapshots.length);
    });
  }

  const flipped = (name: string, where: string, offset: number): string => {
    const p = join(work, `${name}-${where}-${offset}.ptar`);
    copyFileSync(fixture(name), p);
    const b = readFileSync(p);
    b[offset]! ^= 0x40;
    writeFileSync(p, b);
    return p;
  };

  for (const name of ['tiny-plain', 'tiny-enc', 'chunky-plain'] as const) {
    const i = info(name);
    const body = i.ptar_layout.packfile_offset + 16;
    const chunk = i.packfiles[0]!.blobs!.find((b) => b.type === 'chunk' && b.length > 100)!;
    const cases: [string, number, RegExp][] = [
      ['data blob', body + chunk.offset + Math.floor(chunk.length / 2), /chunk [0-9a-f]{64}|MAC mismatch/],
      ['packfile index', body + i.packfiles[0]!.footer.index_offset + 10, /packfile/],
      ['state', i.ptar_layout.state_offset + Math.floor(i.ptar_layout.state_length / 2), /state/],
      ['config', i.ptar_layout.config_offset + 30, /configuration/],
    ];
    for (const [where, offset, why] of cases) {
      it(`${name}: a flipped byte in the ${where} fails with 65 and says what is wrong`, async () => {
        const r = await kapsul(flipped(name, where.replace(/ /g, '-'), offset), ['check']);
        // a flip in the canary of an encrypted config reads as a wrong passphrase
        if (where === 'config' && name === 'tiny-enc' && r.code === 77) return;
        expect(r.code, r.stderr).toBe(65);
        expect(r.stderr).toMatch(why);
        noStackTrace(r.stderr);
      });
    }
  }

  it('a state that places a blob elsewhere than the packfile index says (its MAC made good) fails with 65', async () => {
    const layout = info('tiny-plain').ptar_layout;
    const b = readFileSync(fixture('tiny-plain'));
    const repo = await Repository.open(await PtarStore.open(fixture('tiny-plain')));
    const state = b.subarray(layout.state_offset, layout.state_offset + layout.state_length);
    const stream = Buffer.from(repo.codec.decode(state.subarray(16, state.length - 32), 'state'));
    // A 1.1.0 stream: the parent id, then the first entry (type 2, a location): its offset field + 1.
    expect([stream[32], stream.readUInt32LE(33)]).toEqual([2, 85]);
    stream.writeBigUInt64LE(stream.readBigUInt64LE(37 + 69) + 1n, 37 + 69);
    const resealed = wrapResource(RT.STATE, state.readUInt32LE(12), repo.codec.encode(stream), repo.newMac());
    await repo.close();
    const trailer = Buffer.from(b.subarray(b.length - 48));
    trailer.writeBigInt64LE(BigInt(resealed.length), 40);
    const p = join(work, 'disagree.ptar');
    writeFileSync(p, Buffer.concat([b.subarray(0, layout.state_offset), resealed, trailer]));
    const r = await kapsul(p, ['check']);
    expect(r.code, r.stderr).toBe(65);
    expect(r.stdout.toString() + r.stderr).toMatch(/state and packfile index disagree/);
    noStackTrace(r.stderr);
  });

  it('every single-byte flip anywhere in a plaintext archive is caught by check', async () => {
    const size = info('tiny-plain').ptar_layout.file_size;
    for (let k = 0; k < 48; k++) {
      const offset = Math.floor((k * 2654435761) % size);
      if (offset >= 8 && offset < 12) continue; // the container version is informative only
      const r = await kapsul(flipped('tiny-plain', 'any', offset), ['check']);
      expect(r.code, `offset ${offset}: ${r.stderr}`).toBeGreaterThan(0);
      noStackTrace(r.stderr);
    }
  });
});

describe('bad input', () => {
  it('a wrong passphrase exits 77 with one line', async () => {
    for (const name of ['tiny-enc', 'v10-tiny-enc', 'many-enc']) {
      const r = await kapsul(fixture(name), ['ls'], { KAPSUL_PASSPHRASE: 'not the passphrase' });
      expect(r.code).toBe(77);
      expect(r.stderr).toBe('kapsul: wrong passphrase: cannot unlock the repository\n');
    }
  });

  it('PLAKAR_PASSPHRASE is used when KAPSUL_PASSPHRASE is unset; without either and without a terminal it fails cleanly', async () => {
    const r = await runBin('kapsul', ['-f', fixture('tiny-enc'), 'ls'], { PLAKAR_PASSPHRASE: 'kloset-fixture-passphrase' });
    expect(r.code, r.stderr).toBe(0);
    const none = await runBin('kapsul', ['-f', fixture('tiny-enc'), 'ls']);
    expect(none.code).toBe(77);
    expect(none.stderr).toBe('kapsul: wrong passphrase: cannot unlock the repository\n');
  });

  it('truncated archives fail with a clean error', async () => {
    const full = readFileSync(fixture('tiny-enc'));
    for (const len of [0, 10, 59, 60, 1000, full.length - 49, full.length - 48, full.length - 1]) {
      const p = join(work, `trunc-${len}.ptar`);
      writeFileSync(p, full.subarray(0, len));
      const r = await kapsul(p, ['ls']);
      expect(r.code, `${len}: ${r.stderr}`).toBe(65);
      expect(r.stderr.split('\n').length, r.stderr).toBe(2);
      noStackTrace(r.stderr);
    }
  });

  it('a file that is not an archive, and a missing one', async () => {
    const p = join(work, 'not-an-archive.ptar');
    writeFileSync(p, Buffer.alloc(4096, 7));
    expect((await kapsul(p, ['ls'])).stderr).toBe(`kapsul: ${p}: not a ptar archive (bad magic)\n`);
    const missing = await kapsul(join(work, 'missing.ptar'), ['ls']);
    expect(missing.code).toBe(66);
  });

  it('usage errors exit 64', async () => {
    expect((await kapsul(fixture('tiny-plain'), ['frobnicate'])).code).toBe(64);
    expect((await kapsul(fixture('tiny-plain'), ['cat'])).code).toBe(64);
  });
});
