import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildManifest } from '../format/manifest.js';
import { native } from '../format/native/native.js';
import { Repository } from '../format/repository.js';
import { PtarStore } from '../format/store/ptar.js';
import { loadSnapshots } from '../format/manifest.js';
import { AtomicFile } from '../format/write/output.js';
import { fixture, kapsul, PASSPHRASE, REAL, REPO, runBin, SHARED } from './helpers.js';
import { describeTree, makeTree, prng } from './tree.js';

const work = mkdtempSync(join(tmpdir(), 'writer-test-'));
chmodSync(work, 0o777);
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface MEntry {
  path: string;
  type: string;
  mode: string;
  size: number;
  mtime_unix_nano: bigint | number | string;
  uid: number;
  gid: number;
  nlink: number;
  symlink_target?: string;
  sha256?: string;
  chunks?: number;
  object_mac?: string;
  xattrs: { name: string; value_base64: string }[];
}
interface MSnapshot {
  id: string;
  sources: { importer: { directory: string }; errors: { name: string; error: string }[] }[];
  entries: MEntry[];
}

/** A real fixture's manifest, its 19-digit nanosecond times read exactly (as strings: more than a double holds). */
function realManifest(name: string): unknown {
  return JSON.parse(readFileSync(join(REAL, `${name}.manifest.json`), 'utf8').replace(/"mtime_unix_nano": *(\d+)/g, '"mtime_unix_nano": "$1"'));
}

async function openArchive(path: string, pass = PASSPHRASE): Promise<Repository> {
  return Repository.open(await PtarStore.open(path), async (n) => (n === 1 ? pass : null));
}

async function manifestOf(path: string): Promise<MSnapshot[]> {
  const repo = await openArchive(path);
  try {
    return (await buildManifest(repo, path) as unknown as { snapshots: MSnapshot[] }).snapshots;
  } finally {
    await repo.close();
  }
}

/** Chunk lengths of every regular file of every snapshot, by path relative to the snapshot root. */
async function chunkLengths(path: string, pass = PASSPHRASE): Promise<Map<string, number[]>[]> {
  const repo = await openArchive(path, pass);
  try {
    const out: Map<string, number[]>[] = [];
    for (const snap of await loadSnapshots(repo)) {
      const m = new Map<string, number[]>();
      for await (const e of snap.walk(await snap.getEntry(snap.root))) {
        if (!e.object.some((b) => b !== 0)) continue;
        m.set(e.path.slice(snap.root.length), (await snap.getObject(e.object)).chunks.map((c) => c.length));
      }
      out.push(m);
    }
    return out;
  } finally {
    await repo.close();
  }
}

function plakar(args: string[], env: Record<string, string> = {}) {
  return runBin('plakar', args, env);
}

/** Entry by entry, the archive holds exactly the tree: kinds, modes, sizes, mtimes, owners, links, content, xattrs. */
function expectSameTree(snap: MSnapshot, root: string, tree: ReturnType<typeof describeTree>): void {
  const entries = new Map(snap.entries.filter((e) => e.path === root || e.path.startsWith(root + '/')).map((e) => [e.path === root ? '' : e.path.slice(root.length + 1), e]));
  expect([...entries.keys()].sort()).toEqual([...tree.keys()].sort());
  for (const [rel, t] of tree) {
    const e = entries.get(rel)!;
    expect(e.type, rel).toBe(t.type);
    expect(e.mode, rel).toBe(t.mode.toString(8).padStart(4, '0'));
    expect(BigInt(e.mtime_unix_nano), rel).toBe(t.mtimeNs);
    expect([e.uid, e.gid, e.nlink], rel).toEqual([t.uid, t.gid, t.nlink]);
    if (t.type === 'file' || t.type === 'symlink') expect(e.size, rel).toBe(t.size);
    if (t.type === 'symlink') expect(e.symlink_target, rel).toBe(t.target);
    if (t.type === 'file') expect(e.sha256, rel).toBe(t.sha256);
    expect(Object.fromEntries(e.xattrs.map((x) => [x.name, x.value_base64])), rel).toEqual(t.xattrs);
  }
}

describe('plakar ptar: round trip of a tree with every kind of entry', () => {
  const src = join(work, 'tree');
  makeTree(src);
  const tree = describeTree(src);

  for (const mode of ['plaintext', 'encrypted'] as const) {
    it(mode, async () => {
      const out = join(work, `tree-${mode}.ptar`);
      const r = await plakar(['ptar', ...(mode === 'plaintext' ? ['-plaintext'] : []), '-o', out, src], { PLAKAR_PASSPHRASE: PASSPHRASE });
      expect(r.code, r.stderr).toBe(0);
      const [snap] = await manifestOf(out);
      expect(snap!.sources[0]!.importer.directory).toBe(src);
      expectSameTree(snap!, src, tree);
      // every ancestor of the root is recorded, as plakar does
      const ancestors = snap!.entries.filter((e) => !e.path.startsWith(src)).map((e) => e.path);
      expect(ancestors).toEqual(['/', ...src.split('/').slice(1, -1).map((_, i, a) => '/' + a.slice(0, i + 1).join('/'))]);
      expect((await kapsul(out, ['check'])).code).toBe(0);
    });
  }

  it('kapsul restores it to the same tree, a file of many chunks included, printing only its summary', async () => {
    const big = join(work, 'many-chunks');
    mkdirSync(big);
    writeFileSync(join(big, 'many-chunks.bin'), prng('big', 24 << 20));
    const out = join(work, 'many-chunks.ptar');
    expect((await plakar(['ptar', '-plaintext', '-o', out, big, src])).code).toBe(0);
    for (const [i, dir] of [big, src].entries()) {
      const target = join(work, `many-chunks-restored-${i}`);
      const id = (await manifestOf(out))[i]!.id.slice(0, 8);
      const r = await kapsul(out, ['restore', '-to', target, id]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      // devices, pipes and sockets are not restored, as with plakar
      const want = new Map([...describeTree(dir)].filter(([, t]) => ['file', 'directory', 'symlink'].includes(t.type)));
      const got = describeTree(target);
      expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
      for (const [rel, t] of want) {
        const g = got.get(rel)!;
        expect([g.type, g.mode, g.size, g.sha256, g.target], rel).toEqual([t.type, t.mode, t.size, t.sha256, t.target]);
        // to the nanosecond with the addon; node's utimes alone takes seconds as a double
        if (native() !== null) expect(g.mtimeNs, rel).toBe(t.mtimeNs);
        else expect(Math.abs(Number(g.mtimeNs - t.mtimeNs)), rel).toBeLessThan(1000);
      }
    }
  });

  it('deduplicates: a file stored twice stores its chunks once', async () => {
    const [snap] = await manifestOf(join(work, 'tree-plaintext.ptar'));
    const a = snap!.entries.find((e) => e.path.endsWith('/random-3MiB.bin'))!;
    const b = snap!.entries.find((e) => e.path.endsWith('/copy-of-random.bin'))!;
    expect(a.object_mac).toBe(b.object_mac);
    // four more copies of 3 MiB of incompressible data add only their entries to the archive
    const one = join(work, 'dedup-one');
    const many = join(work, 'dedup-many');
    mkdirSync(one);
    mkdirSync(many);
    const data = prng('dedup', 3 << 20);
    writeFileSync(join(one, 'f0'), data);
    for (let i = 0; i < 5; i++) writeFileSync(join(many, `f${i}`), data);
    for (const d of [one, many]) expect((await plakar(['ptar', '-plaintext', '-o', `${d}.ptar`, d])).code).toBe(0);
    const growth = statSync(`${many}.ptar`).size - statSync(`${one}.ptar`).size;
    expect(growth).toBeGreaterThan(0);
    expect(growth).toBeLessThan(8 * 1024);
  });
});

describe('chunk boundaries equal the real FastCDC vectors', () => {
  it('fastcdc-v1.0.0 512K/1M/8M', async () => {
    const vectors = JSON.parse(readFileSync(join(SHARED, 'fixtures', 'cdc', 'fastcdc-v1.0.0_512K_1M_8M.json'), 'utf8')) as { vectors: { input: string; chunk_lengths: number[] }[] };
    const dir = join(work, 'cdc');
    mkdirSync(dir);
    const gen = (name: string): Buffer => {
      const [kind, n] = name.split('-') as [string, string];
      const len = n === '20MiB' ? 20 * 1024 * 1024 : n === '48MiB' ? 48 * 1024 * 1024 : Number(n);
      if (kind === 'zero') return Buffer.alloc(len);
      if (kind === 'pattern') return Buffer.from('The quick brown fox jumps over the lazy dog; kloset ptar chunking vector 0123456789\n'.repeat(Math.ceil(len / 84)).slice(0, len));
      const out = Buffer.alloc(len);
      for (let i = 0, at = 0; at < len; i++, at += 32) {
        const c = Buffer.alloc(8);
        c.writeBigUInt64LE(BigInt(i));
        createHash('sha256').update(Buffer.concat([Buffer.from('kloset-cdc-vectors'), c])).digest().copy(out, at, 0, Math.min(32, len - at));
      }
      return out;
    };
    const chosen = vectors.vectors.filter((v) => ['prng-0', 'prng-524289', 'prng-8388609', 'prng-20MiB', 'zero-20MiB', 'pattern-20MiB'].includes(v.input));
    for (const v of chosen) writeFileSync(join(dir, v.input), gen(v.input));
    const out = join(work, 'cdc.ptar');
    expect((await plakar(['ptar', '-plaintext', '-o', out, dir])).code).toBe(0);
    const [lengths] = await chunkLengths(out);
    for (const v of chosen) expect(lengths!.get(`/${v.input}`), v.input).toEqual(v.chunk_lengths);
  });
});

describe('real fixtures: restore, archive again, same content and chunking', () => {
  for (const name of ['tiny-plain', 'chunky-plain', 'multi-dirs-plain', 'v10-tiny-enc'] as const) {
    it(name, async () => {
      const theirs = realManifest(name) as { snapshots: MSnapshot[] };
      const fixtureChunks = await chunkLengths(fixture(name));
      for (const [i, s] of theirs.snapshots.entries()) {
        const dir = join(work, `${name}-${i}`);
        expect((await kapsul(fixture(name), ['restore', '-to', dir, s.id.slice(0, 8)])).code).toBe(0);
        const out = join(work, `${name}-${i}.ptar`);
        const r = await plakar(['ptar', '-o', out, dir], { PLAKAR_PASSPHRASE: PASSPHRASE });
        expect(r.code, r.stderr).toBe(0);
        const [ours] = await manifestOf(out);
        const root = s.sources[0]!.importer.directory;
        const rel = (e: MEntry, base: string): string => e.path.slice(base.length);
        // to the nanosecond with the addon; node's utimes alone takes seconds as a double
        const time = (ns: bigint): bigint => (native() !== null ? ns : ns / 1000n);
        const pick = (e: MEntry) => ({ type: e.type, mode: e.mode, size: e.type === 'directory' ? 0 : e.size, mtime: time(BigInt(e.mtime_unix_nano)), target: e.symlink_target, sha256: e.sha256, xattrs: e.xattrs });
        const theirEntries = new Map(s.entries.filter((e) => e.path.startsWith(root + '/')).map((e) => [rel(e, root), pick(e)]));
        const ourEntries = new Map(ours!.entries.filter((e) => e.path.startsWith(dir + '/')).map((e) => [rel(e, dir), pick(e)]));
        // the real exporter's hard-link bug does not concern us: hard links come back as links
        expect(ourEntries).toEqual(theirEntries);
        const [ourChunks] = await chunkLengths(out);
        const expected = fixtureChunks[i]!;
        if (name.startsWith('v10')) {
          // v1.0 archives were cut with legacy FastCDC; ours use v1.1's defaults
          expect([...ourChunks!.keys()].sort()).toEqual([...expected.keys()].sort());
        } else expect(ourChunks).toEqual(expected);
      }
    });
  }
});

describe('output', () => {
  it('-o - writes a valid archive to standard output', async () => {
    const dir = join(work, 'small');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a.txt'), 'a\n');
    const r = await plakar(['ptar', '-plaintext', '-o', '-', dir]);
    expect(r.code, r.stderr).toBe(0);
    const path = join(work, 'stdout.ptar');
    writeFileSync(path, r.stdout);
    const ls = await kapsul(path, ['cat', `:${dir}/a.txt`]);
    expect(ls.stdout.toString()).toBe('a\n');
  });

  it('refuses an existing archive unless -overwrite, and never archives itself', async () => {
    const dir = join(work, 'self');
    mkdirSync(dir);
    writeFileSync(join(dir, 'f'), 'f');
    const out = join(dir, 'inside.ptar');
    expect((await plakar(['ptar', '-plaintext', '-o', out, dir])).code).toBe(0);
    const again = await plakar(['ptar', '-plaintext', '-o', out, dir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/file exists/);
    expect((await plakar(['ptar', '-plaintext', '-overwrite', '-o', out, dir])).code).toBe(0);
    const [snap] = await manifestOf(out);
    expect(snap!.entries.map((e) => e.path)).not.toContain(out);
  });

  it('an interrupted write leaves nothing behind', async () => {
    const dir = join(work, 'big');
    mkdirSync(dir);
    for (let i = 0; i < 40; i++) writeFileSync(join(dir, `f${i}`), prng(`big${i}`, 4 << 20));
    const outDir = join(work, 'interrupted');
    mkdirSync(outDir);
    const p = spawn(process.execPath, [join(REPO, 'bin', 'plakar.js'), 'ptar', '-plaintext', '-o', join(outDir, 'x.ptar'), dir], { stdio: 'ignore' });
    const closed = new Promise<number | null>((r) => p.on('close', r));
    // Interrupt as soon as the archive is being written (its temporary file exists).
    for (let i = 0; i < 600 && readdirSync(outDir).length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(readdirSync(outDir)[0]).toMatch(/^\.x\.ptar\.tmp-/);
    p.kill('SIGINT');
    expect(await closed).not.toBe(0);
    expect(readdirSync(outDir)).toEqual([]);
  });

  it('an interrupted restore stops at once, leaving no file under its final name and no temporary file', async () => {
    // 1 GiB of zeros: a small archive (one chunk, stored once), and a restore long enough to interrupt.
    const dir = join(work, 'zeros');
    mkdirSync(dir);
    writeFileSync(join(dir, 'zeros.bin'), '');
    truncateSync(join(dir, 'zeros.bin'), 1 << 30);
    const archive = join(work, 'zeros.ptar');
    expect((await plakar(['ptar', '-plaintext', '-o', archive, dir])).code).toBe(0);
    const target = join(work, 'zeros-restored');
    const p = spawn(process.execPath, [join(REPO, 'bin', 'kapsul.js'), '-f', archive, 'restore', '-to', target], { stdio: 'ignore' });
    const closed = new Promise<number | null>((r) => p.on('close', r));
    const temporary = (): string[] => (existsSync(target) ? readdirSync(target) : []).filter((n) => n.startsWith('.ptar-kit-'));
    for (let i = 0; i < 2000 && temporary().length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(temporary()).toHaveLength(1);
    const signalled = Date.now();
    p.kill('SIGINT');
    expect(await closed).toBe(130);
    expect(Date.now() - signalled).toBeLessThan(1000);
    expect(readdirSync(target)).toEqual([]);
  });

  it('an archive larger than the background flush step is written whole, and an abort in the middle of a flush leaves nothing', async () => {
    const path = join(work, 'big-output.bin');
    const out = await AtomicFile.create(path, false);
    const hash = createHash('sha256');
    for (let i = 0; i < 150; i++) {
      const piece = prng(`out${i % 7}`, (1 << 20) + i);
      hash.update(piece);
      await out.write(piece);
    }
    await out.commit();
    expect(createHash('sha256').update(readFileSync(path)).digest('hex')).toBe(hash.digest('hex'));
    const aborted = await AtomicFile.create(join(work, 'aborted.bin'), false);
    for (let i = 0; i < 70; i++) await aborted.write(prng('ab', 1 << 20));
    await aborted.abort();
    expect(readdirSync(work).filter((n) => n.includes('aborted'))).toEqual([]);
  });

  it('bad input: a missing path, an unwritable destination', async () => {
    const missing = await plakar(['ptar', '-plaintext', '-o', join(work, 'm.ptar'), join(work, 'nope')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`plakar: ${join(work, 'nope')}: no such file or directory\n`);
    const bad = await plakar(['ptar', '-plaintext', '-o', '/proc/nope/x.ptar', join(work, 'small')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr.split('\n').length).toBe(2);
    expect(existsSync(join(work, 'm.ptar'))).toBe(false);
  });
});

describe('unreadable entries', () => {
  it('are recorded in the error tree, the rest is archived, and the exit status says so', async () => {
    if (process.getuid?.() !== 0) return;
    const dir = join(work, 'unreadable');
    mkdirSync(join(dir, 'closed-dir'), { recursive: true });
    writeFileSync(join(dir, 'ok.txt'), 'fine');
    writeFileSync(join(dir, 'secret.txt'), 'secret');
    writeFileSync(join(dir, 'closed-dir', 'inner'), 'x');
    chmodSync(join(dir, 'secret.txt'), 0o000);
    chmodSync(join(dir, 'closed-dir'), 0o000);
    const out = join(work, 'unreadable.ptar');
    const r = await new Promise<{ code: number; stderr: string }>((resolve) => {
      const p = spawn('runuser', ['-u', 'nobody', '--', process.execPath, join(REPO, 'bin', 'plakar.js'), 'ptar', '-plaintext', '-o', out, dir], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      p.stderr.on('data', (d: Buffer) => (err += d.toString()));
      p.on('close', (code) => resolve({ code: code ?? -1, stderr: err }));
    });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/2 entries could not be archived/);
    const [snap] = await manifestOf(out);
    expect(snap!.sources[0]!.errors.map((e) => e.name).sort()).toEqual([join(dir, 'closed-dir'), join(dir, 'secret.txt')]);
    expect(snap!.sources[0]!.errors.find((e) => e.name.endsWith('secret.txt'))!.error).toBe(`open ${join(dir, 'secret.txt')}: permission denied`);
    expect(snap!.entries.find((e) => e.path === join(dir, 'ok.txt'))!.sha256).toBeDefined();
  });
});

describe('-k: bundling the snapshots of another archive', () => {
  for (const name of ['multi-plain', 'tiny-enc'] as const) {
    it(`${name}: same snapshot ids, headers and entries, re-keyed`, async () => {
      const out = join(work, `k-${name}.ptar`);
      const r = await plakar(['ptar', '-plaintext', '-k', fixture(name), '-o', out], { PLAKAR_PASSPHRASE: PASSPHRASE });
      expect(r.code, r.stderr).toBe(0);
      const theirs = (realManifest(name) as { snapshots: (MSnapshot & Record<string, unknown>)[] }).snapshots;
      const ours = (await manifestOf(out)) as (MSnapshot & Record<string, unknown>)[];
      const header = (s: Record<string, unknown>) => ({ id: s.id, timestamp: s.timestamp, duration: s.duration_ns, name: s.name, tags: s.tags, context: s.context });
      expect(ours.map(header)).toEqual(theirs.map(header));
      const content = (e: MEntry & Record<string, unknown>) => {
        const { entry_mac: _e, object_mac: _o, mtime_unix_nano: m, ...rest } = e;
        return { ...rest, mtime: String(m) };
      };
      for (const [i, s] of theirs.entries()) {
        expect(ours[i]!.entries.map((e) => content(e as MEntry & Record<string, unknown>))).toEqual(s.entries.map((e) => content(e as MEntry & Record<string, unknown>)));
      }
      expect((await kapsul(out, ['check'])).code).toBe(0);
    });
  }
});

describe('--json progress', () => {
  it('prints one event per entry and a final summary, off a terminal', async () => {
    const dir = join(work, 'json-tree');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a.txt'), 'a\n');
    const r = await plakar(['ptar', '-plaintext', '--json', '-o', join(work, 'json.ptar'), dir]);
    expect(r.code, r.stderr).toBe(0);
    const events = r.stdout.toString().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.filter((e) => e.event === 'file').map((e) => e.path)).toEqual([join(dir, 'a.txt')]);
    const summary = events[events.length - 1]!;
    expect(summary).toMatchObject({ event: 'summary', files: 1, bytes: 2, errors: 0 });
  });
});

describe('a root that is not a directory', () => {
  it('is archived alone from its parent: a file or a symlink, without its siblings', async () => {
    const dir = join(work, 'single-root', 'a', 'b');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'file.txt'), 'alone\n');
    writeFileSync(join(dir, 'sibling.txt'), 'not archived\n');
    symlinkSync('file.txt', join(dir, 'link'));
    for (const name of ['file.txt', 'link']) {
      const out = join(work, `single-${name}.ptar`);
      const r = await plakar(['ptar', '-plaintext', '-o', out, join(dir, name)]);
      expect(r.code, r.stderr).toBe(0);
      const [snap] = await manifestOf(out);
      expect(snap!.sources[0]!.importer.directory).toBe(dir);
      const below = snap!.entries.filter((e) => e.path.startsWith(dir + '/')).map((e) => e.path);
      expect(below).toEqual([join(dir, name)]);
    }
  });
});
