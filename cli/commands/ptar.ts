import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { newKey } from '../../format/crypto/new-key.js';
import { PtarError, UsageError } from '../../format/errors.js';
import { promptTty } from '../../kapsul/passphrase.js';

export interface PtarOptions {
  output: string;
  paths: string[];
  plaintext: boolean;
  overwrite: boolean;
  klosets: string[];
  ignore: string[];
  quiet: boolean;
  json: boolean;
  commandLine: string;
}

/** The passphrase for a new archive or store: from the environment, else asked twice on the terminal. */
export function newPassphrase(envVars: string[] = ['PLAKAR_PASSPHRASE']): string {
  const env = envVars.map((v) => process.env[v]).find((v) => v !== undefined);
  if (env !== undefined) {
    if (env === '') throw new UsageError('empty passphrase');
    return env;
  }
  const first = promptTty('passphrase: ');
  if (first === null) throw new UsageError('a passphrase is needed: set PLAKAR_PASSPHRASE or run on a terminal (or use -plaintext)');
  if (first === '') throw new UsageError('empty passphrase');
  if (promptTty('passphrase (confirm): ') !== first) throw new UsageError('passphrases do not match');
  return first;
}

/**
 * `plakar ptar`: one snapshot per path (the current directory when there is neither a path nor a
 * -k), every snapshot of each -k store first, all into one archive that appears only when done.
 */
export async function ptar(o: PtarOptions): Promise<number> {
  if (o.output === '') throw new UsageError('ptar: -o OUTPUT is required');
  if (/^[^/=]+=/.test(o.output)) throw new UsageError(`ptar: -o ${o.output}: connector options are not supported, give an archive path`);
  const paths = await checkPaths(o.paths.length === 0 && o.klosets.length === 0 ? [process.cwd()] : o.paths);
  // The key derivation (Argon2id, ~0.5 s on another thread) starts before the writer's code loads.
  const key = o.plaintext ? null : newKey(newPassphrase());
  const { writeArchive } = await import('./ptar-write.js');
  return writeArchive(o, paths, key);
}

/** Absolute paths to back up; a missing one fails before anything is written. */
export async function checkPaths(paths: string[]): Promise<string[]> {
  const out = paths.map((p) => resolve(p));
  for (const p of out) {
    try {
      await stat(p);
    } catch (e) {
      throw new PtarError(`${p}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`);
    }
  }
  return out;
}
