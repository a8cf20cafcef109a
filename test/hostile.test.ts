import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GoTime } from '../format/gotime.js';
import type { FileInfo } from '../format/snapshot/entry.js';
import { goModeFromPosix } from '../format/snapshot/mode.js';
import { SnapshotBuilder } from '../format/write/builder.js';
import { defaultConfiguration } from '../format/write/config.js';
import { AtomicFile } from '../format/write/output.js';
import { PtarWriter } from '../format/write/ptar-writer.js';
import type { TreeSource } from '../format/write/source.js';
import { kapsul } from './helpers.js';

const work = mkdtempSync(join(tmpdir(), 'hostile-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;

/**
 * Trees no filesystem can hold, as a hostile archive would describe them. 'symlink': under /r,
 * `link` is listed twice, first as a symlink pointing outside, then as a directory holding
 * `pwned`. 'dotdot': a directory lists `..`. The real writer records whatever the source says.
 */
class HostileTree implements TreeSource {
  readonly type = 'fs';
  readonly origin = 'hostile';
  private linkSeen = 0;

  constructor(
    private readonly outside: string,
    private readonly variant: 'symlink' | 'dotdot',
  ) {}

  async lstat(path: string): Promise<FileInfo> {
    const name = path === '/' ? '/' : path.slice(path.lastIndexOf('/') + 1);
    let mode = S_IFDIR | 0o755;
    let size = 0;
    if (path === '/r/link') mode = this.linkSeen++ === 0 ? S_IFLNK | 0o777 : S_IFDIR | 0o755;
    else if (path.endsWith('pwned') || path.endsWith('escape')) {
      mode = S_IFREG | 0o644;
      size = 6;
    }
    return { name, size, mode: goModeFromPosix(mode), modTime: GoTime.fromUnixNano(1_700_000_000_000_000_000n), dev: 1n, ino: 1n, uid: 0, gid: 0, nlink: 1, username: '', groupname: '', flags: 0 };
  }

  async readdir(path: string): Promise<string[]> {
    if (path === '/r') return this.variant === 'symlink' ? ['link', 'link'] : ['dotdot'];
    if (path === '/r/link') return ['pwned'];
    if (path === '/r/dotdot') return ['..', 'escape'];
    return [];
  }

  async readlink(): Promise<string> {
    return this.outside;
  }

  async *read(): AsyncIterable<Uint8Array> {
    yield new TextEncoder().encode('owned\n');
  }

  async xattrNames(): Promise<string[]> {
    return [];
  }

  async xattr(): Promise<Uint8Array> {
    return new Uint8Array(0);
  }
}

async function hostileArchive(outside: string, variant: 'symlink' | 'dotdot'): Promise<string> {
  const path = join(work, `hostile-${variant}.ptar`);
  const config = defaultConfiguration();
  const writer = await PtarWriter.create(await AtomicFile.create(path, true), config, null, work);
  const builder = new SnapshotBuilder(writer, new HostileTree(outside, variant), { context: [], chunking: config.chunking, tmpDir: work });
  await builder.build('/r');
  await writer.finish();
  return path;
}

describe('restore of a hostile archive', () => {
  it('does not write through a symlink entry that a directory entry of the same name shadows', async () => {
    const outside = join(work, 'outside-1');
    mkdirSync(outside);
    const archive = await hostileArchive(outside, 'symlink');
    // the archive really holds a symlink pointing outside and a file below the same name
    const m = JSON.parse((await kapsul(archive, ['manifest'])).stdout.toString()) as { snapshots: { entries: { path: string; type: string }[] }[] };
    const entries = m.snapshots[0]!.entries.map((e) => `${e.path} ${e.type}`);
    expect(entries).toContain('/r/link symlink');
    expect(entries).toContain('/r/link/pwned file');
    const target = join(work, 'target-1');
    const r = await kapsul(archive, ['restore', '-to', target]);
    expect(readdirSync(outside)).toEqual([]);
    expect(r.code).toBe(65);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/listed twice/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses an entry named `..`: one line, integrity exit status, nothing written beside the target', async () => {
    const outside = join(work, 'outside-2');
    mkdirSync(outside);
    const archive = await hostileArchive(outside, 'dotdot');
    const target = join(work, 'target-2');
    const r = await kapsul(archive, ['restore', '-to', target]);
    expect(r.code).toBe(65);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/invalid name/);
    expect(existsSync(join(work, 'escape'))).toBe(false);
    expect(readdirSync(outside)).toEqual([]);
  });
});
