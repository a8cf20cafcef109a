import { IntegrityError } from './errors.js';

/** Kloset packs a version major.minor.patch into a u32 as major<<16 | minor<<8 | patch. */
export function parseVersion(s: string): number {
  const m = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (!m) throw new IntegrityError(`invalid version string ${s}`);
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (major > 0xffff || minor > 0xff || patch > 0xff) throw new IntegrityError(`version ${s} out of range`);
  return ((major << 16) | (minor << 8) | patch) >>> 0;
}

export function formatVersion(v: number): string {
  return `v${v >>> 16}.${(v >>> 8) & 0xff}.${v & 0xff}`;
}
