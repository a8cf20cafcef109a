/** go-humanize's IBytes, which plakar uses for every size it prints. */
export function ibytes(n: number): string {
  if (n < 10) return `${n} B`;
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  const e = Math.min(Math.floor(Math.log(n) / Math.log(1024)), units.length - 1);
  const val = Math.floor((n / 1024 ** e) * 10 + 0.5) / 10;
  return val < 10 ? `${val.toFixed(1)} ${units[e]}` : `${val.toFixed(0)} ${units[e]}`;
}

/** Go's time.Duration.String() of a duration rounded to the second. */
export function goDurationSeconds(ns: bigint): string {
  let s = Number((ns + 500_000_000n) / 1_000_000_000n);
  if (s === 0) return '0s';
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

/** Go's time.Duration.String() with full precision. */
export function goDuration(ns: bigint): string {
  if (ns === 0n) return '0s';
  const neg = ns < 0n;
  let v = neg ? -ns : ns;
  let out: string;
  if (v < 1000n) out = `${v}ns`;
  else if (v < 1_000_000n) out = `${trimFrac(Number(v) / 1e3)}µs`;
  else if (v < 1_000_000_000n) out = `${trimFrac(Number(v) / 1e6)}ms`;
  else {
    const h = v / 3_600_000_000_000n;
    v -= h * 3_600_000_000_000n;
    const m = v / 60_000_000_000n;
    v -= m * 60_000_000_000n;
    const sec = `${v / 1_000_000_000n}${v % 1_000_000_000n ? '.' + String(v % 1_000_000_000n).padStart(9, '0').replace(/0+$/, '') : ''}s`;
    out = h > 0n ? `${h}h${m}m${sec}` : m > 0n ? `${m}m${sec}` : sec;
  }
  return neg ? '-' + out : out;
}

function trimFrac(x: number): string {
  return String(Number(x.toFixed(9)));
}

/** plakar's SanitizeText: non-printable characters become '?'. */
export function sanitize(s: string): string {
  return s.replace(/[\p{Cc}\p{Cf}\p{Co}\p{Cn}]/gu, '?');
}
