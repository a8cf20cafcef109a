import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, lstatSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Wall time and peak RSS (MiB: GNU time reports KiB) of a shell command, measured by GNU time. */
export interface Measure {
  label: string;
  seconds: number;
  peakMiB: number;
}

export function run(label: string, command: string, env: Record<string, string> = {}): Measure {
  // Earlier runs' dirty pages are flushed first: no run pays for the writeback of the one before.
  spawnSync('sync');
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', 'bash', '-c', command], { env: { ...process.env, ...env }, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  const last = r.stderr.trim().split('\n').pop() ?? '';
  const m = /^([\d.]+) (\d+)$/.exec(last);
  if (r.status !== 0 || !m) throw new Error(`${label} failed (exit ${r.status}): ${r.stderr.slice(-500)}`);
  return { label, seconds: Number(m[1]), peakMiB: Number(m[2]) / 1024 };
}

/** Installs a Debian package the benchmark compares against, if it is missing. */
export function ensureTool(bin: string, pkg: string): boolean {
  if (spawnSync('which', [bin]).status === 0) return true;
  try {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
    execFileSync('apt-get', ['install', '-y', '-qq', pkg], { stdio: 'ignore' });
    return true;
  } catch {
    console.error(`(${bin} not available: install the Debian package ${pkg} to compare against it)`);
    return false;
  }
}

export function treeStats(root: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  const walk = (d: string): void => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      const st = lstatSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) {
        files++;
        bytes += st.size;
      }
    }
  };
  walk(root);
  return { files, bytes };
}

export function sizeMB(path: string): number {
  return statSync(path).size / 1e6;
}

export function table(rows: (string | number)[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  for (const r of rows) console.log(r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]!) : String(c).padStart(widths[i]!))).join('  '));
}
