import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, runBin } from './helpers.js';
import { startS3, type S3Endpoint } from './s3server.js';
import { describeTree, makeTree, prng } from './tree.js';

const work = mkdtempSync(join(tmpdir(), 'stores-test-'));
let s3: S3Endpoint;
beforeAll(async () => {
  s3 = await startS3();
});
afterAll(async () => {
  await s3?.stop();
  rmSync(work, { recursive: true, force: true });
});

const PASS = { here: 'store-pass-one', peer: 'store-pass-two' };

function plakar(args: string[], env: Record<string, string> = {}) {
  return runBin('plakar', args, { AWS_ACCESS_KEY_ID: s3.options.access_key!, AWS_SECRET_ACCESS_KEY: s3.options.secret_access_key!, ...env });
}

/** An S3 location for the test endpoint, with its options in the query string. */
function s3loc(path: string): string {
  return `${s3.location(path)}?use_tls=${s3.options.use_tls}`;
}

let seq = 0;
type Kind = 'fs' | 's3' | 'ptar';
function newLocation(kind: Kind): string {
  seq++;
  if (kind === 'fs') return join(work, `store-${seq}`);
  if (kind === 'ptar') return join(work, `vault-${seq}.ptar`);
  return s3loc(`bucket-${seq}/some/prefix`);
}

interface Manifest {
  snapshots: ({ id: string; entries: unknown[] } & Record<string, unknown>)[];
}

async function manifest(loc: string, pass: string): Promise<Manifest> {
  const r = await plakar(['at', loc, 'manifest'], { PLAKAR_PASSPHRASE: pass });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout.toString()) as Manifest;
}

/**
 * What must survive a copy: every field but those naming blobs by MAC (the keys differ), the
 * header's duration (a commit records its own) and the store's own description.
 */
function content(m: Manifest): unknown {
  const drop = new Set(['object_mac', 'entry_mac', 'vfs', 'indexes', 'duration_ns', 'archive', 'encrypted', 'tool']);
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([k]) => !drop.has(k)).map(([k, x]) => [k, strip(x)]));
    return v;
  };
  return strip([...m.snapshots].sort((a, b) => (a.id < b.id ? -1 : 1)));
}

async function expectCheck(loc: string, pass: string): Promise<void> {
  const r = await plakar(['at', loc, 'check'], { PLAKAR_PASSPHRASE: pass });
  expect(r.code, r.stderr).toBe(0);
}

/** A directory or S3 store holding two snapshots of the generated tree (one per path). */
async function seededStore(kind: 'fs' | 's3', plaintext: boolean, src: string): Promise<string> {
  const loc = newLocation(kind);
  let r = await plakar(['at', loc, 'create', ...(plaintext ? ['-plaintext'] : [])], { PLAKAR_PASSPHRASE: PASS.here });
  expect(r.code, r.stderr).toBe(0);
  r = await plakar(['at', loc, 'backup', '-quiet', src, join(src, 'dir')], { PLAKAR_PASSPHRASE: PASS.here });
  expect(r.code, r.stderr).toBe(0);
  return loc;
}

describe('directory and S3 stores: create, backup, read, rm', () => {
  const src = join(work, 'tree');
  makeTree(src);
  const tree = describeTree(src);

  for (const kind of ['fs', 's3'] as const) {
    for (const plaintext of [true, false]) {
      it(`${kind} ${plaintext ? 'plaintext' : 'encrypted'}`, async () => {
        const loc = await seededStore(kind, plaintext, src);
        const m = await manifest(loc, PASS.here);
        expect(m.snapshots).toHaveLength(2);
        const full = m.snapshots.find((s) => (s as { sources: { importer: { directory: string } }[] }).sources[0]!.importer.directory === src)!;
        const files = (full.entries as { path: string; type: string; sha256?: string }[]).filter((e) => e.path.startsWith(src + '/') && e.type === 'file');
        expect(files.length).toBe([...tree.values()].filter((t) => t.type === 'file').length);
        for (const f of files) expect(f.sha256, f.path).toBe(tree.get(f.path.slice(src.length + 1))!.sha256);
        await expectCheck(loc, PASS.here);

        const cat = await plakar(['at', loc, 'cat', `${full.id.slice(0, 8)}:${src}/random-3MiB.bin`], { PLAKAR_PASSPHRASE: PASS.here });
        expect(cat.code, cat.stderr).toBe(0);
        expect(createHash('sha256').update(cat.stdout).digest('hex')).toBe(tree.get('random-3MiB.bin')!.sha256);

        const restoreDir = join(work, `restore-${seq}`);
        const rr = await plakar(['at', loc, 'restore', '-to', restoreDir, full.id.slice(0, 8)], { PLAKAR_PASSPHRASE: PASS.here });
        expect(rr.code, rr.stderr).toBe(0);
        expect(describeTree(restoreDir).get('random-3MiB.bin')?.sha256).toBe(tree.get('random-3MiB.bin')!.sha256);

        const rm = await plakar(['at', loc, 'rm', full.id.slice(0, 10)], { PLAKAR_PASSPHRASE: PASS.here });
        expect(rm.code, rm.stderr).toBe(0);
        const after = await manifest(loc, PASS.here);
        expect(after.snapshots.map((s) => s.id)).toEqual(m.snapshots.filter((s) => s.id !== full.id).map((s) => s.id));
        await expectCheck(loc, PASS.here);
      });
    }
  }

  it('lays a directory store out as plakar does', async () => {
    const loc = await seededStore('fs', true, src);
    expect(readdirSync(loc).sort()).toEqual(['CONFIG', 'locks', 'packfiles', 'states']);
    expect(readdirSync(join(loc, 'packfiles'))).toHaveLength(256);
    expect(readdirSync(join(loc, 'locks'))).toEqual([]);
    const states = readdirSync(join(loc, 'states')).flatMap((b) => readdirSync(join(loc, 'states', b)).map((f) => [b, f]));
    expect(states).toHaveLength(2);
    for (const [b, f] of states) expect(f!.startsWith(b!) && /^[0-9a-f]{64}$/.test(f!)).toBe(true);
  });

  it('a second backup of unchanged files stores no new content', async () => {
    const loc = await seededStore('fs', true, src);
    const r = await plakar(['at', loc, 'backup', '-quiet', '--json', src], { PLAKAR_PASSPHRASE: PASS.here });
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout.toString().trim().split('\n').pop()!) as { storedBytes: number };
    expect(summary.storedBytes).toBeLessThan(256 * 1024);
  });

  it('packfiles stay near the configured maximum size', async () => {
    const big = join(work, 'big');
    mkdirSync(big);
    for (let i = 0; i < 5; i++) writeFileSync(join(big, `r${i}`), prng(`big${i}`, 40 << 20));
    const loc = newLocation('fs');
    expect((await plakar(['at', loc, 'create', '-plaintext'])).code).toBe(0);
    const r = await plakar(['at', loc, 'backup', '-quiet', big]);
    expect(r.code, r.stderr).toBe(0);
    const sizes = readdirSync(join(loc, 'packfiles')).flatMap((b) => readdirSync(join(loc, 'packfiles', b)).map((f) => join(loc, 'packfiles', b, f)));
    const lengths = sizes.map((f) => statSync(f).size);
    // sealed once past 64 MiB, so each is at most 64 MiB plus one chunk (8 MiB) and its padding
    expect(lengths.filter((n) => n >= 64 << 20).length).toBeGreaterThanOrEqual(2);
    for (const n of lengths) expect(n).toBeLessThan(73 << 20);
    await expectCheck(loc, '');
    rmSync(big, { recursive: true });
  }, 120_000);

  it('two concurrent backups into one store both complete', async () => {
    const loc = newLocation('fs');
    expect((await plakar(['at', loc, 'create', '-plaintext'])).code).toBe(0);
    const [a, b] = await Promise.all([plakar(['at', loc, 'backup', '-quiet', src]), plakar(['at', loc, 'backup', '-quiet', join(src, 'dir')])]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect((await manifest(loc, '')).snapshots).toHaveLength(2);
    await expectCheck(loc, '');
    expect(readdirSync(join(loc, 'locks'))).toEqual([]);
  });
});

describe('sync between {directory, S3, ptar} x {plaintext, encrypted} x {to, from, with}', () => {
  const src = join(work, 'sync-tree');
  makeTree(src);
  const kinds: Kind[] = ['fs', 's3', 'ptar'];
  let n = 0;
  for (const from of ['fs', 's3'] as const) {
    for (const to of kinds) {
      for (const direction of ['to', 'from', 'with'] as const) {
        const plaintext = n++ % 2 === 0;
        it(`${from} ${direction} ${to} (${plaintext ? 'plaintext source, encrypted peer' : 'encrypted source, plaintext peer'})`, async () => {
          const a = await seededStore(from, plaintext, src);
          const b = newLocation(to);
          const peerEnv = { PLAKAR_PASSPHRASE: PASS.peer };
          if (to !== 'ptar') expect((await plakar(['at', b, 'create', ...(plaintext ? [] : ['-plaintext'])], peerEnv)).code).toBe(0);
          else if (direction !== 'to') {
            // a ptar is written whole: the vault exists first, made from the store
            const r = await plakar(['at', a, 'sync', 'to', b, ...(plaintext ? [] : ['-plaintext']), '-quiet'], { PLAKAR_PASSPHRASE: PASS.here, PLAKAR_PEER_PASSPHRASE: PASS.peer });
            expect(r.code, r.stderr).toBe(0);
          }
          const env = { PLAKAR_PASSPHRASE: PASS.here, PLAKAR_PEER_PASSPHRASE: PASS.peer };
          // `from`: the peer is the source; an empty store (or the vault) syncs nothing new here,
          // so first give the peer a snapshot of its own to bring back.
          if (direction !== 'to' && to !== 'ptar') {
            const r = await plakar(['at', b, 'backup', '-quiet', join(src, 'dir')], peerEnv);
            expect(r.code, r.stderr).toBe(0);
          }
          const flags = to === 'ptar' && !plaintext ? ['-plaintext'] : [];
          const r = await plakar(['at', a, 'sync', direction, b, '-quiet', ...flags], env);
          expect(r.code, r.stderr).toBe(0);
          const ma = await manifest(a, PASS.here);
          const mb = await manifest(b, PASS.peer);
          const idsA = ma.snapshots.map((s) => s.id).sort();
          const idsB = mb.snapshots.map((s) => s.id).sort();
          if (direction === 'with' || to === 'ptar') expect(idsA).toEqual(idsB);
          const shared = (m: Manifest, ids: string[]) => content({ snapshots: m.snapshots.filter((s) => ids.includes(s.id)) });
          const common = idsA.filter((id) => idsB.includes(id));
          expect(common.length).toBeGreaterThanOrEqual(direction === 'to' || to === 'ptar' ? 2 : 1);
          expect(shared(mb, common)).toEqual(shared(ma, common));
          await expectCheck(a, PASS.here);
          await expectCheck(b, PASS.peer);
          // idempotent: nothing left to copy
          const again = await plakar(['at', a, 'sync', direction, b, '--dry-run'], env);
          expect(again.code, again.stderr).toBe(0);
          expect(again.stdout.toString()).toBe('');
        }, 120_000);
      }
    }
  }
});

describe('sync: interruption, refusals, errors', () => {
  const src = join(work, 'int-tree');
  makeTree(src);

  it('a sync killed halfway leaves whole snapshots only; a second run completes it', async () => {
    const big = join(work, 'int-big');
    mkdirSync(big);
    for (let i = 0; i < 6; i++) writeFileSync(join(big, `r${i}`), prng(`int${i}`, 24 << 20));
    const a = newLocation('fs');
    expect((await plakar(['at', a, 'create', '-plaintext'])).code).toBe(0);
    expect((await plakar(['at', a, 'backup', '-quiet', src, big])).code).toBe(0);
    const b = newLocation('fs');
    expect((await plakar(['at', b, 'create'], { PLAKAR_PASSPHRASE: PASS.peer })).code).toBe(0);
    // kill the sync once it has stored some packfiles of the big snapshot
    const p = spawn(process.execPath, [join(REPO, 'bin', 'plakar.js'), 'at', a, 'sync', 'to', b, '-quiet'], { env: { ...process.env, PLAKAR_PEER_PASSPHRASE: PASS.peer }, stdio: 'ignore' });
    // packfiles being written sit beside their final name under a temporary one
    const packs = (): number => readdirSync(join(b, 'packfiles')).reduce((n, d) => n + readdirSync(join(b, 'packfiles', d)).filter((f) => /^[0-9a-f]{64}$/.test(f)).length, 0);
    const statesOf = (): number => readdirSync(join(b, 'states')).reduce((n, d) => n + readdirSync(join(b, 'states', d)).length, 0);
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (packs() >= 2 || p.exitCode !== null) {
          clearInterval(t);
          p.kill('SIGKILL');
          resolve();
        }
      }, 20);
    });
    await new Promise((r) => p.once('close', r));
    expect(statesOf()).toBeLessThan(2);
    const mid = await manifest(b, PASS.peer);
    expect(mid.snapshots.length).toBe(statesOf());
    await expectCheck(b, PASS.peer);
    const r = await plakar(['at', a, 'sync', 'to', b, '-quiet'], { PLAKAR_PEER_PASSPHRASE: PASS.peer });
    expect(r.code, r.stderr).toBe(0);
    expect(content(await manifest(b, PASS.peer))).toEqual(content(await manifest(a, '')));
    await expectCheck(b, PASS.peer);
    rmSync(big, { recursive: true });
  }, 180_000);

  it('refuses to sync a store with itself, and into an existing ptar', async () => {
    const a = await seededStore('fs', true, src);
    let r = await plakar(['at', a, 'sync', 'to', a]);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/same repository/);
    const vault = newLocation('ptar');
    expect((await plakar(['at', a, 'sync', 'to', vault, '-plaintext', '-quiet'])).code).toBe(0);
    expect((await plakar(['at', a, 'backup', '-quiet', join(src, 'dir')])).code).toBe(0);
    r = await plakar(['at', a, 'sync', 'to', vault]);
    expect(r.code).toBe(64);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/ptar archive, which cannot change/);
  });

  it('a wrong passphrase, a missing store, an unreachable endpoint, a missing bucket: one clear line', async () => {
    const enc = await seededStore('fs', false, src);
    const cases: [string[], number, RegExp][] = [
      [['at', enc, 'ls'], 77, /passphrase/],
      [['at', join(work, 'nothing-here'), 'ls'], 66, /no store/],
      [['at', 's3://127.0.0.1:1/bucket?use_tls=false', 'ls'], 1, /cannot reach/],
      [['at', s3loc('no-such-bucket-x'), 'ls'], 66, /bucket/],
    ];
    for (const [args, code, msg] of cases) {
      const r = await plakar(args, { PLAKAR_PASSPHRASE: 'wrong' });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(code);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  }, 60_000);

  it('kapsul and ptar -k accept any store', async () => {
    const a = await seededStore('s3', true, src);
    const r = await runBin('kapsul', ['-f', a, 'ls'], { AWS_ACCESS_KEY_ID: s3.options.access_key!, AWS_SECRET_ACCESS_KEY: s3.options.secret_access_key! });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.toString().trim().split('\n')).toHaveLength(2);
    const out = join(work, 'bundle.ptar');
    const k = await plakar(['ptar', '-plaintext', '-k', a, '-o', out]);
    expect(k.code, k.stderr).toBe(0);
    expect(existsSync(out)).toBe(true);
    expect(content(await manifest(out, ''))).toEqual(content(await manifest(a, '')));
  });
});
