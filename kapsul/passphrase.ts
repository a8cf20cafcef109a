import { openSync, closeSync, readSync, writeSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import type { PassphraseProvider } from '../format/repository.js';

/**
 * Reads a passphrase on the controlling terminal with echo off. Standard input is never used, so a
 * pipe feeding data to a command can never be mistaken for a passphrase. Null when there is no tty.
 */
export function promptTty(prompt: string): string | null {
  let fd: number;
  try {
    fd = openSync('/dev/tty', 'r+');
  } catch {
    return null;
  }
  const stty = (arg: string): void => {
    try {
      execFileSync('stty', [arg], { stdio: [fd, 'ignore', 'ignore'] });
    } catch {
      // not a real terminal: read with echo
    }
  };
  try {
    writeSync(fd, prompt);
    stty('-echo');
    const buf = Buffer.alloc(1);
    const bytes: number[] = [];
    while (readSync(fd, buf, 0, 1, null) === 1 && buf[0] !== 0x0a && buf[0] !== 0x0d) bytes.push(buf[0]!);
    return Buffer.from(bytes).toString('utf8');
  } finally {
    stty('echo');
    writeSync(fd, '\n');
    closeSync(fd);
  }
}

/**
 * The passphrase from the first set environment variable (tried once: a wrong one fails at once),
 * else up to three prompts on the terminal.
 */
export function passphraseProvider(envVars: string[]): PassphraseProvider {
  const fromEnv = envVars.map((v) => process.env[v]).find((v) => v !== undefined);
  return async (attempt) => {
    if (fromEnv !== undefined) return attempt === 1 ? fromEnv : null;
    if (attempt > 3) return null;
    return promptTty('passphrase: ');
  };
}
