/**
 * Thread of TreeWriter: carries out a restore's filesystem operations in the order they come,
 * synchronously (each call takes microseconds; this thread has nothing else to do), while the
 * main thread reads and decodes what comes next. Interrupted, it is terminated between two calls
 * and the main thread removes the temporary files it leaves.
 */
import {
  chmodSync, chownSync, closeSync, fchmodSync, fchownSync, lchownSync, linkSync, lstatSync, lutimesSync, mkdirSync, openSync, renameSync,
  rmSync, symlinkSync, utimesSync, writeSync,
} from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { native } from '../format/native/native.js';
import { xattr } from '../format/util/native-packages.js';
import { systemError } from '../format/write/source.js';
import type { Batch, Meta, Op, Times, WorkerFailure, WriterData } from './tree-writer.js';

const data = workerData as WriterData;
/** The file being written: created by one batch, possibly committed by a later one. */
let fd = -1;
let failed = false;

class Refusal extends Error {
  constructor(message: string, readonly kind: 'integrity' | 'ptar') {
    super(message);
  }
}

/** Makes `dest` with `make`, first removing what a restore into a non-empty directory finds there. */
function replacing(dest: string, make: () => void): void {
  try {
    make();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    rmSync(dest, { force: true });
    make();
  }
}

/** Both times of path (of a symlink itself unless `follow`): to the nanosecond with the addon. */
function setTimes(path: string, t: Times, follow: boolean): void {
  const nat = native();
  if (nat === null) {
    const seconds = t.sec + t.nsec / 1e9; // the last digits are lost
    (follow ? utimesSync : lutimesSync)(path, seconds, seconds);
    return;
  }
  const err = nat.utimens(path, t.sec, t.nsec, follow);
  if (err !== 0) throw systemError(err, 'utime', path);
}

function setXattrs(path: string, m: Meta): void {
  for (const [name, value] of m.xattrs) {
    try {
      xattr().setAttributeSync(path, name, value);
    } catch (err) {
      throw new Refusal(`${m.path}: cannot set xattr ${name}: ${(err as Error).message}`, 'ptar');
    }
  }
}

function run(op: Op, bytes: Uint8Array): void {
  switch (op.k) {
    case 'dir':
      try {
        mkdirSync(op.dest, { mode: 0o700 });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        // The archive already put something else under this name: it lists the path twice.
        if (!lstatSync(op.dest).isDirectory()) throw new Refusal(`${op.path}: listed twice in the snapshot, refusing to restore it`, 'integrity');
      }
      return;
    case 'symlink':
      replacing(op.dest, () => symlinkSync(op.target, op.dest));
      if (data.asRoot) lchownSync(op.dest, op.uid, op.gid);
      setTimes(op.dest, op.mtime, false);
      return;
    case 'link':
      replacing(op.dest, () => linkSync(op.first, op.dest));
      return;
    case 'create':
      fd = openSync(op.tmp, 'wx', 0o600);
      return;
    case 'append':
      for (let at = op.at, end = op.at + op.len; at < end; ) at += writeSync(fd, bytes, at, end - at);
      return;
    case 'commit': {
      const m = op.meta;
      // Attributes first: once the mode is read-only, only root could still set them.
      setXattrs(op.tmp, m);
      if (data.asRoot) fchownSync(fd, m.uid, m.gid);
      fchmodSync(fd, m.mode);
      closeSync(fd);
      fd = -1;
      setTimes(op.tmp, m.mtime, true);
      renameSync(op.tmp, op.dest);
      return;
    }
    case 'dirmeta': {
      const m = op.meta;
      setXattrs(op.dest, m);
      if (data.asRoot) chownSync(op.dest, m.uid, m.gid);
      chmodSync(op.dest, m.mode);
      setTimes(op.dest, m.mtime, true);
      return;
    }
  }
}

function failure(e: unknown): WorkerFailure {
  if (e instanceof Refusal) return { kind: e.kind, message: e.message };
  const err = e as NodeJS.ErrnoException;
  return { kind: 'system', message: err.message, code: err.code, errno: err.errno, syscall: err.syscall, path: err.path };
}

parentPort!.on('message', (b: Batch) => {
  const bytes = new Uint8Array(b.data);
  if (!failed) {
    try {
      for (const op of b.ops) run(op, bytes);
    } catch (e) {
      failed = true;
      if (fd >= 0) closeSync(fd);
      parentPort!.postMessage({ id: b.id, error: failure(e) });
      return;
    }
  }
  parentPort!.postMessage({ id: b.id, data: b.data }, [b.data]);
});
