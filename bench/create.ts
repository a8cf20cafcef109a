/**
 * bench/create: archive a real tree (default /usr/share) with ptar-kit, plaintext and encrypted,
 * next to `tar -cf - | zstd -1 -T2` and `restic backup` measured in the same run.
 * Run: npm run build && node dist/bench/create.js [TREE]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureTool, run, sizeMB, table, treeStats, type Measure } from './measure.js';

const tree = resolve(process.argv[2] ?? '/usr/share');
const bin = resolve(import.meta.dirname, '..', '..', 'bin', 'plakar.js');
const work = mkdtempSync(join(tmpdir(), 'bench-create-'));
const pass = { PLAKAR_PASSPHRASE: 'bench-passphrase', RESTIC_PASSWORD: 'bench-passphrase' };

try {
  const { files, bytes } = treeStats(tree);
  console.log(`tree ${tree}: ${files} files, ${(bytes / 1e6).toFixed(0)} MB`);
  run('warm-up', `tar -cf - ${tree} 2>/dev/null | cat >/dev/null`);
  const rows: (string | number)[][] = [['tool', 'wall s', 'MB/s', 'files/s', 'peak RSS MiB', 'output MB']];
  const add = (m: Measure, out: string | null): void => {
    rows.push([m.label, m.seconds.toFixed(2), (bytes / 1e6 / m.seconds).toFixed(0), (files / m.seconds).toFixed(0), m.peakMiB.toFixed(0), out ? sizeMB(out).toFixed(0) : '-']);
  };
  add(run('tar | zstd -1 -T2', `tar -cf - ${tree} 2>/dev/null | zstd -q -1 -T2 > ${work}/t.tar.zst`), `${work}/t.tar.zst`);
  if (ensureTool('restic', 'restic')) {
    run('restic init', `restic init -q -r ${work}/restic`, pass);
    add(run('restic backup (encrypted, zstd)', `restic backup -q -r ${work}/restic ${tree}`, pass), null);
  }
  add(run('ptar-kit ptar -plaintext', `node ${bin} ptar -quiet -plaintext -o ${work}/p.ptar ${tree}`), `${work}/p.ptar`);
  add(run('ptar-kit ptar (encrypted)', `node ${bin} ptar -quiet -o ${work}/e.ptar ${tree}`, pass), `${work}/e.ptar`);
  table(rows);
} finally {
  rmSync(work, { recursive: true, force: true });
}
