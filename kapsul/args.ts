/**
 * plakar spells long options with one dash (`-to`, `-recursive`); yargs reads `-to` as `-t -o`.
 * Single-dash words are rewritten to double-dash before parsing, which keeps both spellings working.
 */
export function normalizeArgs(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      out.push(...argv.slice(i));
      break;
    }
    out.push(/^-[a-zA-Z][a-zA-Z0-9-]+(=.*)?$/.test(a) ? '-' + a : a);
  }
  return out;
}
