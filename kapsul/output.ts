/*
 * What every command needs before anything else is loaded: output, errors as one line and an exit
 * code. Kept apart from the archive-opening code so that a command starts without the reader.
 */
import { ExitCode, PtarError, UsageError } from '../format/errors.js';

/** One line per failure on stderr, plakar's exit codes, never a stack trace. */
export function reportError(prog: string, e: unknown): number {
  if (e instanceof PtarError) {
    process.stderr.write(`${prog}: ${e.message}\n`);
    return e.exitCode;
  }
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'EPIPE') return ExitCode.OK;
  const msg = err?.code === 'ENOSPC' ? 'no space left on device' : err?.message ?? String(e);
  process.stderr.write(`${prog}: ${msg}\n`);
  return err?.code === 'ENOENT' ? ExitCode.NOT_FOUND : ExitCode.FAILURE;
}

export function requireArg<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw new UsageError(`missing ${what}`);
  return v;
}

/** Writes to stdout and waits for it to drain, so large outputs and pipes behave. */
export function out(s: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    if (process.stdout.write(s)) resolve();
    else process.stdout.once('drain', resolve).once('error', reject);
  });
}

export function printJson(v: unknown): Promise<void> {
  return out(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? Number(x) : x)) + '\n');
}

/** Anything that escapes the command (a bug) still ends as one line and a non-zero exit. */
export function installCrashHandlers(prog: string): void {
  const die = (e: unknown): void => {
    process.exit(reportError(prog, e) || ExitCode.FAILURE);
  };
  process.on('uncaughtException', die);
  process.on('unhandledRejection', die);
}
