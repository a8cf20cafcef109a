/** Go's io/fs.FileMode bits, which Kloset stores instead of POSIX st_mode. */
export const GoMode = {
  Dir: 0x80000000,
  Append: 1 << 30,
  Exclusive: 1 << 29,
  Temporary: 1 << 28,
  Symlink: 1 << 27,
  Device: 1 << 26,
  NamedPipe: 1 << 25,
  Socket: 1 << 24,
  Setuid: 1 << 23,
  Setgid: 1 << 22,
  CharDevice: 1 << 21,
  Sticky: 1 << 20,
  Irregular: 1 << 19,
} as const;

const TYPE_MASK = GoMode.Dir | GoMode.Symlink | GoMode.NamedPipe | GoMode.Socket | GoMode.Device | GoMode.CharDevice | GoMode.Irregular;

export function isDir(mode: number): boolean {
  return (mode & GoMode.Dir) !== 0;
}
export function isSymlink(mode: number): boolean {
  return (mode & GoMode.Symlink) !== 0;
}
export function isRegular(mode: number): boolean {
  return (mode & TYPE_MASK) === 0;
}

/** The kind of an entry as the manifests name it. */
export function modeType(mode: number): string {
  if (isDir(mode)) return 'directory';
  if (isSymlink(mode)) return 'symlink';
  if (mode & GoMode.NamedPipe) return 'pipe';
  if (mode & GoMode.Socket) return 'socket';
  if (mode & GoMode.CharDevice) return 'char-device';
  if (mode & GoMode.Device) return 'device';
  if (mode & GoMode.Irregular) return 'irregular';
  return 'file';
}

/** Go's FileMode.String(): type letters from `dalTLDpSugct?`, then rwx triplets. */
export function modeString(mode: number): string {
  const letters = 'dalTLDpSugct?';
  let s = '';
  for (let i = 0; i < letters.length; i++) if ((mode >>> (31 - i)) & 1) s += letters[i];
  if (s === '') s = '-';
  const rwx = 'rwxrwxrwx';
  for (let i = 0; i < 9; i++) s += (mode >>> (8 - i)) & 1 ? rwx[i] : '-';
  return s;
}

/** POSIX permission bits (with setuid/setgid/sticky) from a Go FileMode. */
export function posixPerm(mode: number): number {
  let p = mode & 0o777;
  if (mode & GoMode.Setuid) p |= 0o4000;
  if (mode & GoMode.Setgid) p |= 0o2000;
  if (mode & GoMode.Sticky) p |= 0o1000;
  return p;
}

/** Go FileMode from a POSIX st_mode, as Go's os.Lstat maps it on Unix. */
export function goModeFromPosix(st: number): number {
  let m = st & 0o777;
  switch (st & 0o170000) {
    case 0o040000: m |= GoMode.Dir; break;
    case 0o120000: m |= GoMode.Symlink; break;
    case 0o010000: m |= GoMode.NamedPipe; break;
    case 0o140000: m |= GoMode.Socket; break;
    case 0o060000: m |= GoMode.Device; break;
    case 0o020000: m |= GoMode.Device | GoMode.CharDevice; break;
  }
  if (st & 0o4000) m |= GoMode.Setuid;
  if (st & 0o2000) m |= GoMode.Setgid;
  if (st & 0o1000) m |= GoMode.Sticky;
  return m >>> 0;
}
