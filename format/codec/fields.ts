import { IntegrityError } from '../errors.js';
import { GoTime } from '../gotime.js';

/*
 * Narrowing helpers for decoded msgpack values. Go's decoder is lenient (any integer width for any
 * integer field, nil for empty slices, missing keys as zero values); these mirror that leniency while
 * rejecting values of the wrong kind with an IntegrityError that names the field.
 */

export type MsgMap = Record<string, unknown>;

function bad(what: string, expected: string, v: unknown): never {
  const kind = v === null ? 'nil' : Array.isArray(v) ? 'array' : v instanceof Uint8Array ? 'bin' : typeof v;
  throw new IntegrityError(`${what}: expected ${expected}, found ${kind}`);
}

export function asMap(v: unknown, what: string): MsgMap {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Uint8Array || v instanceof GoTime) bad(what, 'map', v);
  return v as MsgMap;
}

export function asOptMap(v: unknown, what: string): MsgMap | null {
  return v === null || v === undefined ? null : asMap(v, what);
}

export function asString(v: unknown, what: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') bad(what, 'string', v);
  return v;
}

/** An integer that fits a JS number exactly. */
export function asInt(v: unknown, what: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'bigint') {
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) throw new IntegrityError(`${what}: integer ${v} out of range`);
    return Number(v);
  }
  if (typeof v !== 'number' || !Number.isInteger(v)) bad(what, 'integer', v);
  return v;
}

export function asUint64(v: unknown, what: string): bigint {
  if (v === undefined || v === null) return 0n;
  if (typeof v === 'bigint') return v;
  if (typeof v !== 'number' || !Number.isInteger(v)) bad(what, 'integer', v);
  return BigInt(v);
}

export function asFloat(v: unknown, what: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v !== 'number') bad(what, 'number', v);
  return v;
}

export function asBool(v: unknown, what: string): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') bad(what, 'bool', v);
  return v;
}

export function asBytes(v: unknown, what: string): Uint8Array {
  if (v === undefined || v === null) return new Uint8Array(0);
  if (typeof v === 'string') return new Uint8Array(Buffer.from(v, 'utf8'));
  if (!(v instanceof Uint8Array)) bad(what, 'bin', v);
  return v;
}

/** A fixed 32-byte MAC; Go leaves missing or nil ones as zeros. */
export function asMac(v: unknown, what: string): Uint8Array {
  const b = asBytes(v, what);
  if (b.length === 32) return b;
  if (b.length > 32) throw new IntegrityError(`${what}: MAC longer than 32 bytes`);
  const out = new Uint8Array(32);
  out.set(b);
  return out;
}

export function asArray(v: unknown, what: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) bad(what, 'array', v);
  return v;
}

export function asStringArray(v: unknown, what: string): string[] {
  return asArray(v, what).map((x, i) => asString(x, `${what}[${i}]`));
}

export function asTime(v: unknown, what: string): GoTime {
  if (v instanceof GoTime) return v;
  if (v === undefined || v === null) return new GoTime(-62135596800, 0); // Go's zero time
  bad(what, 'timestamp', v);
}
