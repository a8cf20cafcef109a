import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const SHARED = resolve(REPO, '..', 'shared');
export const REAL = join(SHARED, 'fixtures', 'ptar-real');
export const PASSPHRASE = 'kloset-fixture-passphrase';

if (!existsSync(REAL)) throw new Error(`real fixtures not found at ${REAL}: ../shared must sit beside the repository`);

export const FIXTURES = [
  'tiny-plain',
  'tiny-enc',
  'chunky-plain',
  'many-enc',
  'multi-plain',
  'multi-dirs-plain',
  'v10-tiny-plain',
  'v10-tiny-enc',
] as const;

export function fixture(name: string): string {
  return join(REAL, `${name}.ptar`);
}

export interface Run {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/**
 * Runs a bin of this package as a user would, with a clean passphrase environment, in its own
 * session: it has no controlling terminal, so nothing can ever wait on a prompt.
 */
export function runBin(bin: 'kapsul' | 'plakar', args: string[], env: Record<string, string> = {}, cwd = REPO): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const base = { ...process.env };
    delete base.KAPSUL_PASSPHRASE;
    delete base.PLAKAR_PASSPHRASE;
    const p = spawn(process.execPath, [join(REPO, 'bin', `${bin}.js`), ...args], { env: { ...base, ...env }, cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    p.stdout.on('data', (d: Buffer) => out.push(d));
    p.stderr.on('data', (d: Buffer) => err.push(d));
    p.on('error', reject);
    p.on('close', (code) => resolvePromise({ code: code ?? -1, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString() }));
  });
}

export function kapsul(archive: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return runBin('kapsul', ['-f', archive, ...args], { KAPSUL_PASSPHRASE: PASSPHRASE, ...env });
}
