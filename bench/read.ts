/**
 * bench/read: restore with kapsul the largest real fixture and a ptar of a real tree (default
 * /usr/share, archived at bench time, plaintext and encrypted), next to `tar -x` of the same data.
 * Run: npm run build && node dist/bench/read.js [TREE]
 * Restores go to the system's temporary directory, or under $BENCH_OUT (e.g. /dev/shm: on these
 * VMs the disk's speed drifts several-fold within minutes, tmpfs measures the tools alone).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { run, table, treeStats, type Measure } from './measure.js';

const repo = resolve(import.meta.dirname, '..', '..');
const tree = resolve(process.argv[2] ?? '/usr/share');
const fixture = resolve(repo, '..', 'shared', 'fixtures', 'ptar-real', 'chunky-plain.ptar');
const plakar = join(repo, 'bin', 'plakar.js');
const kapsul = join(repo, 'bin', 'kapsul.js');
const work = mkdtempSync(join(tmpdir(), 'bench-read-'));
const out = mkdtempSync(join(process.env.BENCH_OUT ?? tmpdir(), 'bench-read-out-'));
const pass = { PLAKAR_PASSPHRASE: 'bench-passphrase', KAPSUL_PASSPHRASE: 'bench-passphrase' };

try {
  const { bytes } = treeStats(tree);
  const rows: (string | number)[][] = [['restore', 'wall s', 'MB/s', 'peak RSS MiB']];
  const add = (m: Measure, mb: number): void => {
    rows.push([m.label, m.seconds.toFixed(2), (mb / m.seconds).toFixed(0), m.peakMiB.toFixed(0)]);
  };
  let n = 0;
  const target = (): string => join(out, `out${n++}`);
  add(run('kapsul restore chunky-plain.ptar (real fixture, 36 MB)', `node ${kapsul} -f ${fixture} restore -to ${target()} 7f4d0242`), 36);
  run('archive plaintext', `node ${plakar} ptar -quiet -plaintext -o ${work}/p.ptar ${tree}`);
  run('archive encrypted', `node ${plakar} ptar -quiet -o ${work}/e.ptar ${tree}`, pass);
  run('tar', `tar -cf ${work}/t.tar ${tree} 2>/dev/null`);
  const mb = bytes / 1e6;
  add(run(`tar -x (${tree})`, `mkdir ${target()} && tar -xf ${work}/t.tar -C ${join(out, `out${n - 1}`)}`), mb);
  add(run(`kapsul restore plaintext (${tree})`, `node ${kapsul} -f ${work}/p.ptar restore -to ${target()}`), mb);
  add(run(`kapsul restore encrypted (${tree})`, `node ${kapsul} -f ${work}/e.ptar restore -to ${target()}`, pass), mb);
  table(rows);
} finally {
  rmSync(work, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
}
