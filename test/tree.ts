import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { chmodSync, closeSync, linkSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, symlinkSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { listAttributesSync, getAttributeSync, setAttributeSync } from '@napi-rs/xattr';

/** Deterministic pseudo-random bytes (SHA-256 in counter mode), for reproducible trees. */
export function prng(seed: string, n: number): Buffer {
  const out = Buffer.alloc(n);
  for (let i = 0, at = 0; at < n; i++) {
    const b = createHash('sha256').update(`${seed}:${i}`).digest();
    b.copy(out, at, 0, Math.min(32, n - at));
    at += 32;
  }
  return out;
}

/**
 * A tree with every kind of entry a backup meets: regular files from empty to multi-chunk, nested
 * and empty directories, awkward names, relative/absolute/dangling symlinks, hard links, a FIFO,
 * a Unix socket, a character device (when root), special permission bits, nanosecond mtimes and
 * xattrs on files and directories.
 */
export function makeTree(root: string): void {
  mkdirSync(root, { recursive: true });
  const w = (rel: string, data: Buffer | string): void => writeFileSync(join(root, rel), data);
  w('empty', '');
  w('hello.txt', 'Hello, Kloset!\n');
  w('random-3MiB.bin', prng('random', 3 * 1024 * 1024 + 123));
  w('zeros-1MiB', Buffer.alloc(1024 * 1024));
  w('text.txt', Array.from({ length: 5000 }, (_, i) => `line ${i} of some text\n`).join(''));
  mkdirSync(join(root, 'dir/sub/deeper'), { recursive: true });
  mkdirSync(join(root, 'empty-dir'));
  w('dir/sub/deeper/deep.md', '# deep\n');
  w('dir/copy-of-random.bin', prng('random', 3 * 1024 * 1024 + 123));
  for (const name of ['with space', 'café naïve', '日本語.txt', 'emoji-🎉', '-leading-dash', 'tab\tname', 'new\nline', 'quote"s', 'back\\slash', 'x'.repeat(250)]) {
    w(`dir/${name}`, `content of ${name}\n`);
  }
  w('dir/a b', 'space sorts before slash');
  mkdirSync(join(root, 'dir/a'));
  w('dir/a/b', 'inside a');
  symlinkSync('hello.txt', join(root, 'link-rel'));
  symlinkSync('/etc/hostname', join(root, 'link-abs'));
  symlinkSync('does/not/exist', join(root, 'link-dangling'));
  symlinkSync('dir/sub', join(root, 'link-dir'));
  linkSync(join(root, 'hello.txt'), join(root, 'hardlink'));
  execFileSync('mkfifo', [join(root, 'fifo')]);
  if (process.getuid?.() === 0) execFileSync('mknod', [join(root, 'chardev'), 'c', '1', '3']);
  w('script.sh', '#!/bin/sh\necho hi\n');
  chmodSync(join(root, 'script.sh'), 0o755);
  w('setuid', 'x');
  chmodSync(join(root, 'setuid'), 0o4755);
  w('readonly', 'r');
  chmodSync(join(root, 'readonly'), 0o444);
  mkdirSync(join(root, 'sticky'));
  chmodSync(join(root, 'sticky'), 0o1777);
  setAttributeSync(join(root, 'hello.txt'), 'user.comment', 'a comment');
  setAttributeSync(join(root, 'hello.txt'), 'user.binary', Buffer.from([0, 1, 2, 0xfe, 0xff]));
  setAttributeSync(join(root, 'dir'), 'user.dirattr', 'on a directory');
  // A long run of writes ending on an odd byte count, to exercise partial encryption chunks.
  const fd = openSync(join(root, 'odd.bin'), 'w');
  writeSync(fd, prng('odd', 65536 * 3 + 17));
  closeSync(fd);
  utimesSync(join(root, 'text.txt'), 1_600_000_000.123456, 1_600_000_000.123456);
}

export interface TreeEntry {
  type: string;
  mode: number;
  size: number;
  mtimeNs: bigint;
  uid: number;
  gid: number;
  nlink: number;
  target?: string;
  sha256?: string;
  xattrs: Record<string, string>;
}

/** What the tree on disk holds, keyed by path relative to root ("" is the root itself). */
export function describeTree(root: string): Map<string, TreeEntry> {
  const out = new Map<string, TreeEntry>();
  const visit = (rel: string): void => {
    const p = rel === '' ? root : join(root, rel);
    const st = lstatSync(p, { bigint: true });
    const type = st.isDirectory() ? 'directory' : st.isSymbolicLink() ? 'symlink' : st.isFile() ? 'file' : st.isFIFO() ? 'pipe' : st.isSocket() ? 'socket' : st.isCharacterDevice() ? 'char-device' : 'device';
    const xattrs: Record<string, string> = {};
    if (type === 'file' || type === 'directory') {
      for (const n of listAttributesSync(p).filter((x) => x.startsWith('user.')).sort()) xattrs[n] = getAttributeSync(p, n)!.toString('base64');
    }
    out.set(rel, {
      type,
      mode: Number(st.mode) & 0o7777,
      size: type === 'file' || type === 'symlink' ? Number(st.size) : 0,
      mtimeNs: st.mtimeNs,
      uid: Number(st.uid),
      gid: Number(st.gid),
      nlink: Number(st.nlink),
      ...(type === 'symlink' ? { target: readlinkSync(p) } : {}),
      ...(type === 'file' ? { sha256: createHash('sha256').update(readFileSync(p)).digest('hex') } : {}),
      xattrs,
    });
    if (type === 'directory') for (const n of readdirSync(p)) visit(rel === '' ? n : `${rel}/${n}`);
  };
  visit('');
  return out;
}
