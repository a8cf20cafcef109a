/**
 * A time as Go stores it: seconds since the Unix epoch and nanoseconds. Kept exact, because Kloset
 * records mtimes with nanosecond precision and the manifests print them that way.
 */
export class GoTime {
  constructor(readonly sec: number, readonly nsec: number) {}

  static fromUnixNano(ns: bigint): GoTime {
    let sec = ns / 1_000_000_000n;
    let nsec = ns % 1_000_000_000n;
    if (nsec < 0n) {
      nsec += 1_000_000_000n;
      sec -= 1n;
    }
    return new GoTime(Number(sec), Number(nsec));
  }

  static fromDate(d: Date): GoTime {
    return GoTime.fromUnixNano(BigInt(d.getTime()) * 1_000_000n);
  }

  get unixNano(): bigint {
    return BigInt(this.sec) * 1_000_000_000n + BigInt(this.nsec);
  }

  /** Go's time.RFC3339Nano in UTC: trailing zeros of the fraction dropped, no fraction when zero. */
  toRFC3339Nano(): string {
    const base = new Date(this.sec * 1000).toISOString().replace(/\.\d{3}Z$/, '');
    const frac = this.nsec === 0 ? '' : '.' + String(this.nsec).padStart(9, '0').replace(/0+$/, '');
    return `${base}${frac}Z`;
  }

  /** Go's time.RFC3339 in UTC (seconds only), as `plakar ls` prints. */
  toRFC3339(): string {
    return new Date(this.sec * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
}

