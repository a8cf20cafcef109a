import yargs from 'yargs';
import { requireArg } from './output.js';
import { normalizeArgs } from './args.js';
import { readCommands, runProgram } from './cli.js';

const PASSPHRASE_ENV = ['KAPSUL_PASSPHRASE', 'PLAKAR_PASSPHRASE'];

export function main(args: string[]): Promise<void> {
  return runProgram('kapsul', (run) => {
    const y = yargs(normalizeArgs(args))
      .scriptName('kapsul')
      .usage('kapsul [-c CORES] -f ARCHIVE COMMAND [ARGS]')
      .option('file', { alias: 'f', type: 'string', describe: 'the .ptar archive (path or http(s) URL)' })
      .option('c', { type: 'number', describe: 'CPU cores to use (accepted for compatibility)' });
    return readCommands(y, (a) => requireArg(a.file as string | undefined, 'archive: use -f ARCHIVE'), PASSPHRASE_ENV, run);
  });
}
