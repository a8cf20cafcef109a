import { rmSync } from 'node:fs';
import { pendingFiles } from '../format/write/output.js';

/**
 * Until the returned function is called, SIGINT and SIGTERM remove every temporary file being
 * written (and `dirs`) synchronously and exit with 130. Nothing else runs: waiting for the
 * pipeline to unwind could wait on the very work being interrupted. Stores need nothing more:
 * what was uploaded without its state is invisible.
 */
export function cleanupOnInterrupt(dirs: () => (string | null)[]): () => void {
  const onSignal = (): void => {
    for (const f of pendingFiles) rmSync(f, { force: true });
    for (const d of dirs()) if (d) rmSync(d, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return () => {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  };
}
