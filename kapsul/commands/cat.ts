import { NotFoundError, PtarError } from '../../format/errors.js';
import { locate } from '../../format/snapshot/locate.js';
import { isRegular } from '../../format/snapshot/mode.js';
import type { Snapshot } from '../../format/snapshot/snapshot.js';
import { out } from '../output.js';

/** `cat SNAP:PATH...`: streams each regular file to stdout, following symlinks. */
export async function cat(snaps: Snapshot[], args: string[]): Promise<void> {
  for (const arg of args) {
    const { snap, path } = locate(snaps, arg);
    const e = await snap.getEntry(path).catch(() => {
      throw new NotFoundError(`${arg}: no such file or directory`);
    });
    if (!isRegular(e.fileInfo.mode)) throw new PtarError(`${arg}: not a regular file`);
    for await (const chunk of snap.readFile(e)) await out(chunk);
  }
}
