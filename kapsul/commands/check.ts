import { checkRepository } from '../../format/check.js';
import { ExitCode } from '../../format/errors.js';
import type { Repository } from '../../format/repository.js';
import { findByPrefix, splitSnapshotPath } from '../../format/snapshot/locate.js';
import type { Snapshot } from '../../format/snapshot/snapshot.js';
import { ibytes } from '../humanize.js';
import { out, printJson } from '../output.js';

/** `check [SNAP...]`: verifies packfiles and every selected snapshot; exit 65 on any problem. */
export async function check(repo: Repository, snaps: Snapshot[], args: string[], json: boolean): Promise<number> {
  const selected = args.length === 0 ? snaps : args.map((a) => findByPrefix(snaps, splitSnapshotPath(a).prefix));
  const report = await checkRepository(repo, selected, async (s) => {
    if (json) return;
    const line = s.ok
      ? `${s.id.slice(0, 8)}: OK (${s.entries} entries, ${s.files} files, ${ibytes(s.bytes)})`
      : `${s.id.slice(0, 8)}: FAILED (${s.problems.length} problems)`;
    await out(line + '\n');
  });
  if (json) await printJson(report);
  else {
    for (const p of report.packfiles.flatMap((p) => p.problems).concat(report.snapshots.flatMap((s) => s.problems))) {
      process.stderr.write(`check: ${p.where}: ${p.error}\n`);
    }
    const bad = report.snapshots.filter((s) => !s.ok).length;
    if (!report.ok) process.stderr.write(`check: check failed for ${bad} snapshot(s)${report.packfiles.some((p) => !p.ok) ? ' and the packfile' : ''}\n`);
  }
  return report.ok ? ExitCode.OK : ExitCode.INTEGRITY;
}
