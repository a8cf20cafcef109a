import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { native, setNativeDisabled } from '../format/native/native.js';
import { errorText, LocalFs } from '../format/write/source.js';

const work = mkdtempSync(join(tmpdir(), 'source-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** What LocalFs.lstat gives, or the Go-style text of its error. */
async function describeLstat(fs: LocalFs, path: string): Promise<unknown> {
  try {
    return await fs.lstat(path, true);
  } catch (e) {
    return { error: errorText(e, path), code: (e as NodeJS.ErrnoException).code, syscall: (e as NodeJS.ErrnoException).syscall };
  }
}

describe('LocalFs.lstat', () => {
  it("the addon's lstat gives what node's lstatSync gives, entries and errors alike", async () => {
    expect(native()).not.toBeNull();
    writeFileSync(join(work, 'file'), 'x'.repeat(1234));
    mkdirSync(join(work, 'dir'));
    symlinkSync('file', join(work, 'link'));
    execFileSync('mkfifo', [join(work, 'fifo')]);
    writeFileSync(join(work, 'ns'), '');
    execFileSync('touch', ['-h', '-d', '@1614834367.123456789', join(work, 'ns')]);
    writeFileSync(join(work, 'old'), '');
    execFileSync('touch', ['-h', '-d', '@-315619199.5', join(work, 'old')]);
    const paths = ['file', 'dir', 'link', 'fifo', 'ns', 'old', 'missing', 'file/below', 'x'.repeat(300), 'deep/'.repeat(900)].map((p) => join(work, p));
    paths.push('/', '/dev/null', '/proc/self');
    const fs = new LocalFs('host');
    const viaAddon = [];
    for (const p of paths) viaAddon.push(await describeLstat(fs, p));
    setNativeDisabled(true);
    try {
      for (let i = 0; i < paths.length; i++) expect(viaAddon[i], paths[i]).toEqual(await describeLstat(fs, paths[i]!));
    } finally {
      setNativeDisabled(false);
    }
    expect(viaAddon[4]).toMatchObject({ modTime: { sec: 1614834367, nsec: 123456789 } });
    expect(viaAddon[5]).toMatchObject({ modTime: { sec: -315619200, nsec: 500_000_000 } });
    expect((viaAddon[0] as { ino: bigint }).ino).toBe(lstatSync(paths[0]!, { bigint: true }).ino);
    expect(viaAddon[6]).toEqual({ error: `lstat ${paths[6]}: no such file or directory`, code: 'ENOENT', syscall: 'lstat' });
  });
});
