import { GoMode, isDir, isRegular } from '../snapshot/mode.js';
import { BELOW_FIELDS, DIRECTORY_FIELDS, type Summary } from '../snapshot/summary.js';

/** What a directory's summary needs to know of a child that is not a directory. */
export interface FileSummary {
  size: number;
  objects: number;
  chunks: number;
  mode: number;
  /** Unix seconds */
  modTime: number;
  contentType: string;
  entropy: number;
}

export function emptySummary(): Summary {
  return {
    directory: Object.fromEntries(DIRECTORY_FIELDS.map((f) => [f, 0])),
    below: Object.fromEntries(BELOW_FIELDS.map((f) => [f, 0])),
  };
}

/*
 * The arithmetic below follows Kloset's vfs.Summary to the letter, including its quirks (a zero
 * counts as "unset" for minima and maxima, and a child's zero can reset them), so that the
 * summaries equal what Plakar computes for the same tree.
 */

export function addFile(s: Summary, f: FileSummary): void {
  const d = s.directory;
  d.children!++;
  const m = f.mode;
  if (isRegular(m)) d.files!++;
  else if (isDir(m)) d.directories!++;
  else if (m & GoMode.Symlink) d.symlinks!++;
  else if (m & GoMode.Device) d.devices!++;
  else if (m & GoMode.NamedPipe) d.pipes!++;
  else if (m & GoMode.Socket) d.sockets!++;
  else d.files!++;
  if (m & GoMode.Setuid) d.setuid!++;
  if (m & GoMode.Setgid) d.setgid!++;
  if (m & GoMode.Sticky) d.sticky!++;
  if (f.objects > 0) {
    d.objects! += f.objects;
    d.chunks! += f.chunks;
  }
  if (f.modTime < d.min_mod_time! || d.min_mod_time === 0) d.min_mod_time = f.modTime;
  if (f.modTime > d.max_mod_time! || d.max_mod_time === 0) d.max_mod_time = f.modTime;
  if (f.size < d.min_size! || d.min_size === 0) d.min_size = f.size;
  if (f.size > d.max_size! || d.max_size === 0) d.max_size = f.size;
  if (f.entropy < d.min_entropy! || d.min_entropy === 0) d.min_entropy = f.entropy;
  if (f.entropy > d.max_entropy! || d.max_entropy === 0) d.max_entropy = f.entropy;
  if (f.entropy <= 2.0) d.lo_entropy!++;
  else if (f.entropy >= 7.0) d.hi_entropy!++;
  const ct = f.contentType;
  if (ct !== '') {
    if (ct.startsWith('text/')) d.MIME_text!++;
    else if (ct.startsWith('image/')) d.MIME_image!++;
    else if (ct.startsWith('audio/')) d.MIME_audio!++;
    else if (ct.startsWith('video/')) d.MIME_video!++;
    else if (ct.startsWith('application/')) d.MIME_application!++;
    else d.MIME_other!++;
  }
  d.size! += f.size;
  d.sum_entropy! += f.entropy;
}

const SUMMED = ['files', 'directories', 'symlinks', 'devices', 'pipes', 'sockets', 'children', 'setuid', 'setgid', 'sticky', 'objects', 'chunks'];
const MIMES = ['MIME_audio', 'MIME_video', 'MIME_image', 'MIME_text', 'MIME_application', 'MIME_other'];

export function addSubdirectory(s: Summary, child: Summary): void {
  s.directory.children!++;
  s.directory.directories!++;
  const b = s.below;
  const cb = child.below;
  const cd = child.directory;
  for (const f of SUMMED) b[f]! += cb[f]! + cd[f]!;
  const lower = (f: string): void => {
    if (b[f] === 0 || cb[f]! < b[f]!) b[f] = cb[f]!;
    if (b[f] === 0 || cd[f]! < b[f]!) b[f] = cd[f]!;
  };
  const upper = (f: string): void => {
    if (b[f] === 0 || cb[f]! > b[f]!) b[f] = cb[f]!;
    if (b[f] === 0 || cd[f]! > b[f]!) b[f] = cd[f]!;
  };
  lower('min_size');
  upper('max_size');
  b.size! += cb.size! + cd.size!;
  lower('min_mod_time');
  upper('max_mod_time');
  lower('min_entropy');
  upper('max_entropy');
  b.hi_entropy! += cb.hi_entropy! + cd.hi_entropy!;
  b.lo_entropy! += cb.lo_entropy! + cd.lo_entropy!;
  for (const f of MIMES) b[f]! += cd[f]! + cb[f]!;
  b.errors! += cd.errors! + cb.errors!;
}

export function finishSummary(s: Summary, errors: number): void {
  s.below.errors! += errors;
  const d = s.directory;
  if (d.files! > 0) {
    d.avg_size = Math.floor(d.size! / d.files!);
    d.avg_entropy = d.sum_entropy! / d.files!;
  }
}
