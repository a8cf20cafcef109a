import { homedir } from 'node:os';
import { join } from 'node:path';
import yargs from 'yargs';
import { normalizeArgs } from '../kapsul/args.js';
import { readCommands, runProgram } from '../kapsul/cli.js';

const PASSPHRASE_ENV = ['PLAKAR_PASSPHRASE'];

/** `plakar [at LOCATION] COMMAND …`: like plakar, the store defaults to ~/.plakar. */
export function main(args: string[]): Promise<void> {
  let location = process.env.PLAKAR_REPOSITORY ?? join(homedir(), '.plakar');
  let rest = args;
  if (rest[0] === 'at' && rest.length >= 2) {
    location = rest[1]!;
    rest = rest.slice(2);
  }
  return runProgram('plakar', (run) =>
    readCommands(yargs(normalizeArgs(rest)).scriptName('plakar').usage('plakar [at LOCATION] COMMAND [ARGS]'), () => location, PASSPHRASE_ENV, run),
  );
}
