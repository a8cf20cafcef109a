import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * `mkdir -p`. Node's own `{ recursive: true }` never returns where mkdir fails with ENOENT although
 * the parent exists (inside /proc, for one); here each level is tried once.
 */
export async function makeDirs(path: string, mode: number): Promise<void> {
  try {
    await mkdir(path, { mode });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && (await stat(path)).isDirectory()) return;
    const parent = dirname(path);
    if (code !== 'ENOENT' || parent === path) throw e;
    await makeDirs(parent, mode);
    try {
      await mkdir(path, { mode });
    } catch (again) {
      if ((again as NodeJS.ErrnoException).code !== 'EEXIST' || !(await stat(path)).isDirectory()) throw again;
    }
  }
}
