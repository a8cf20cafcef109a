/**
 * bench/sync: back up a real tree (default /usr/share) into a directory store, sync it to S3 (a
 * local s3rver on loopback) and from S3 to a new ptar, next to `cp -r` of the same store.
 * Run: npm run bench:sync [-- TREE]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startS3 } from '../test/s3server.js';
import { run, table, treeStats, type Measure } from './measure.js';

const tree = resolve(process.argv[2] ?? '/usr/share');
const bin = resolve(import.meta.dirname, '..', '..', 'bin', 'plakar.js');
const work = mkdtempSync(join(tmpdir(), 'bench-sync-'));
const s3 = await startS3();
const env = {
  PLAKAR_PASSPHRASE: 'bench-passphrase',
  PLAKAR_PEER_PASSPHRASE: 'bench-passphrase-2',
  AWS_ACCESS_KEY_ID: s3.options.access_key!,
  AWS_SECRET_ACCESS_KEY: s3.options.secret_access_key!,
};

try {
  const { files, bytes } = treeStats(tree);
  console.log(`tree ${tree}: ${files} files, ${(bytes / 1e6).toFixed(0)} MB`);
  run('warm-up', `tar -cf - ${tree} 2>/dev/null | cat >/dev/null`);
  const store = join(work, 'store');
  const bucket = `${s3.location('bench/prefix')}?use_tls=${s3.options.use_tls}`;
  run('create store', `node ${bin} at ${store} create`, env);
  run('create bucket', `node ${bin} at '${bucket}' create`, { ...env, PLAKAR_PASSPHRASE: env.PLAKAR_PEER_PASSPHRASE });
  const rows: (string | number)[][] = [['step', 'wall s', 'MB/s (tree)', 'peak RSS MiB']];
  const add = (m: Measure): void => {
    rows.push([m.label, m.seconds.toFixed(2), (bytes / 1e6 / m.seconds).toFixed(0), m.peakMiB.toFixed(0)]);
  };
  add(run('plakar backup (directory store, encrypted)', `node ${bin} at ${store} backup -quiet ${tree}`, env));
  add(run('cp -r of that store', `cp -r ${store} ${work}/copy`));
  add(run('sync directory -> S3 (re-encrypted)', `node ${bin} at ${store} sync to '${bucket}' -quiet`, env));
  add(run('sync S3 -> new ptar', `node ${bin} at '${bucket}' sync to ${work}/vault.ptar -quiet`, { ...env, PLAKAR_PASSPHRASE: env.PLAKAR_PEER_PASSPHRASE }));
  table(rows);
} finally {
  await s3.stop();
  rmSync(work, { recursive: true, force: true });
}
