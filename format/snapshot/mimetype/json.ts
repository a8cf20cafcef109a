// A tolerant JSON scanner with the exact behaviour of mimetype v1.4.13's internal/json parser:
// it reports how many bytes parsed as JSON, how many were inspected before an error (so a
// document truncated at the read limit still counts), the first token type, and whether a
// key/value query (GeoJSON, HAR, glTF) was satisfied. Its quirks (trailing commas accepted,
// unescaped control characters in strings accepted, array path bookkeeping) are kept.

import { bytesEqual, bytesOf, trimSpace } from './scan.js';

export const TokInvalid = 0;
export const TokNull = 1 << 1;
export const TokTrue = 1 << 2;
export const TokFalse = 1 << 3;
export const TokNumber = 1 << 4;
export const TokString = 1 << 5;
export const TokArray = 1 << 6;
export const TokObject = 1 << 7;

interface Query {
  path: Uint8Array[];
  vals: Uint8Array[];
}

export type QueryName = 'json' | 'geo' | 'har' | 'gltf';

const q = (path: string[], vals: string[] = []): Query => ({ path: path.map(bytesOf), vals: vals.map(bytesOf) });

const QUERIES: Record<QueryName, Query[]> = {
  json: [],
  geo: [
    q(['type'], [
      '"Feature"',
      '"FeatureCollection"',
      '"Point"',
      '"LineString"',
      '"Polygon"',
      '"MultiPoint"',
      '"MultiLineString"',
      '"MultiPolygon"',
      '"GeometryCollection"',
    ]),
  ],
  har: [q(['log', 'version']), q(['log', 'creator']), q(['log', 'entries'])],
  gltf: [q(['asset', 'version'], ['"1.0"', '"2.0"'])],
};

const MAX_RECURSION = 4096;
const OPEN_ARRAY = Uint8Array.of(0x5b);
const TRUE = bytesOf('true');
const FALSE = bytesOf('false');
const NULL = bytesOf('null');

const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isXDigit = (c: number): boolean => isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);

export interface ParseResult {
  parsed: number;
  inspected: number;
  firstToken: number;
  querySatisfied: boolean;
}

class Parser {
  ib = 0;
  path: Uint8Array[] = [];
  firstToken = TokInvalid;
  querySatisfied = false;

  constructor(
    private readonly b: Uint8Array,
    private readonly qs: Query[],
  ) {}

  private space(at: number): number {
    const b = this.b;
    let n = 0;
    while (at + n < b.length && isSpace(b[at + n]!)) n++;
    this.ib += n;
    return n;
  }

  private constant(at: number, cnst: Uint8Array): number {
    const b = this.b;
    for (let i = 0; i < cnst.length; i++) {
      if (at + i < b.length && b[at + i] === cnst[i]) this.ib++;
      else return 0;
    }
    return cnst.length;
  }

  /** After the opening quote: length up to and including the closing quote, 0 on error. */
  private string(at: number): number {
    const b = this.b;
    const len = b.length - at;
    let n = 0;
    while (n < len) {
      const c = b[at + n]!;
      n++;
      this.ib++;
      if (c === 0x5c /* \ */) {
        if (n >= len) return 0;
        const e = b[at + n]!;
        if (e === 0x22 || e === 0x5c || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
          n++;
          this.ib++;
          continue;
        }
        if (e === 0x75 /* u */) {
          n++;
          this.ib++;
          for (let j = 0; j < 4 && n < len; j++) {
            if (!isXDigit(b[at + n]!)) return 0;
            n++;
            this.ib++;
          }
          continue;
        }
        return 0;
      }
      if (c === 0x22) return n;
    }
    return 0;
  }

  private number(at: number): number {
    const b = this.b;
    const end = b.length;
    let i = at;
    let got = false;
    const digits = (): void => {
      while (i < end && isDigit(b[i]!)) {
        got = true;
        i++;
        this.ib++;
      }
    };
    if (i < end) {
      if (b[i] === 0x2d /* - */) {
        i++;
        this.ib++;
      }
      digits();
      if (i < end) {
        if (b[i] === 0x2e /* . */) {
          i++;
          this.ib++;
        }
        digits();
        if (i < end && got && (b[i] === 0x65 || b[i] === 0x45)) {
          i++;
          this.ib++;
          got = false;
          if (i < end) {
            if (b[i] === 0x2b || b[i] === 0x2d) {
              i++;
              this.ib++;
            }
            digits();
          }
        }
      }
    }
    return got ? i - at : 0;
  }

  private appendPath(p: Uint8Array): void {
    if (this.qs.length !== 0) this.path.push(p);
  }
  private popPath(): void {
    if (this.qs.length !== 0) this.path.pop();
  }

  private queryPathMatch(): number {
    const qs = this.qs;
    const path = this.path;
    for (let i = 0; i < qs.length; i++) {
      const sp = qs[i]!.path;
      if (sp.length !== path.length) continue;
      let eq = true;
      for (let k = 0; k < sp.length && eq; k++) eq = bytesEqual(sp[k]!, path[k]!);
      if (eq) return i;
    }
    return -1;
  }

  /**
   * The library's mutually recursive consumeAny/consumeArray/consumeObject, run on an explicit
   * stack so that deeply nested input cannot exhaust the JavaScript call stack. Every frame
   * keeps the locals of the Go function it stands for; `ret` carries return values.
   */
  parse(): number {
    const b = this.b;
    const stack: Frame[] = [];
    let ret = 0;
    let f: Frame | undefined = anyFrame(0, 0);
    for (;;) {
      // Runs frame f until it either calls another frame (push, continue) or returns (ret).
      let returned = true;
      if (f.kind === ANY) {
        if (f.pc === 0) {
          if (f.lvl > MAX_RECURSION) {
            ret = 0;
          } else {
            if (this.qs.length === 0) this.querySatisfied = true;
            f.n = this.space(f.at);
            const at = f.at + f.n;
            if (at >= b.length) {
              ret = 0;
            } else {
              let rv = -1;
              switch (b[at]) {
                case 0x22:
                  f.n++;
                  this.ib++;
                  rv = this.string(at + 1);
                  f.t = TokString;
                  break;
                case 0x5b:
                  f.n++;
                  this.ib++;
                  f.t = TokArray;
                  f.pc = 1;
                  stack.push(f);
                  f = containerFrame(ARRAY, at + 1, f.lvl + 1);
                  returned = false;
                  break;
                case 0x7b:
                  f.n++;
                  this.ib++;
                  f.t = TokObject;
                  f.pc = 1;
                  stack.push(f);
                  f = containerFrame(OBJECT, at + 1, f.lvl + 1);
                  returned = false;
                  break;
                case 0x74:
                  rv = this.constant(at, TRUE);
                  f.t = TokTrue;
                  break;
                case 0x66:
                  rv = this.constant(at, FALSE);
                  f.t = TokFalse;
                  break;
                case 0x6e:
                  rv = this.constant(at, NULL);
                  f.t = TokNull;
                  break;
                default:
                  rv = this.number(at);
                  f.t = TokNumber;
              }
              if (returned) ret = this.finishAny(f, rv);
            }
          }
        } else {
          ret = this.finishAny(f, ret);
        }
      } else if (f.kind === ARRAY) {
        returned = this.stepArray(f, ret);
        if (!returned) {
          stack.push(f);
          f = anyFrame(f.at + f.n, f.lvl);
        } else ret = f.ret;
      } else {
        returned = this.stepObject(f, ret);
        if (!returned) {
          stack.push(f);
          f = anyFrame(f.at + f.n, f.lvl);
        } else ret = f.ret;
      }
      if (returned) {
        f = stack.pop();
        if (f === undefined) return ret;
      }
    }
  }

  private finishAny(f: Frame, rv: number): number {
    if (f.lvl === 0) this.firstToken = f.t;
    if (rv <= 0) return f.n;
    f.n += rv;
    f.n += this.space(f.at + f.n);
    return f.n;
  }

  /** consumeArray: returns true when done (result in f.ret), false to call consumeAny at f.n. */
  private stepArray(f: Frame, ret: number): boolean {
    const b = this.b;
    const len = b.length - f.at;
    if (f.pc === 0) {
      this.appendPath(OPEN_ARRAY);
      if (len === 0) return done(f, 0);
    } else {
      // Back from consumeAny on an element.
      const inner = ret;
      if (inner === 0) return done(f, 0);
      f.n += inner;
      if (f.n >= len) return done(f, 0);
      const c = b[f.at + f.n];
      if (c === 0x2c /* , */) {
        f.n++;
        this.ib++;
      } else if (c === 0x5d /* ] */) {
        this.ib++;
        return done(f, f.n + 1);
      } else return done(f, 0);
    }
    if (f.n >= len) return done(f, 0);
    f.n += this.space(f.at + f.n);
    if (f.n >= len) return done(f, 0);
    if (b[f.at + f.n] === 0x5d) {
      this.ib++;
      this.popPath();
      return done(f, f.n + 1);
    }
    f.pc = 1;
    return false;
  }

  /** consumeObject: returns true when done (result in f.ret), false to call consumeAny at f.n. */
  private stepObject(f: Frame, ret: number): boolean {
    const b = this.b;
    const len = b.length - f.at;
    if (f.pc === 1) {
      // Back from consumeAny on a value.
      const valLen = ret;
      if (valLen === 0) return done(f, 0);
      if (f.queryMatched !== -1) {
        const query = this.qs[f.queryMatched]!;
        if (query.vals.length === 0) this.querySatisfied = true;
        const v = trimSpace(b.subarray(f.at + f.n, f.at + f.n + valLen));
        for (const val of query.vals) if (bytesEqual(val, v)) this.querySatisfied = true;
      }
      f.n += valLen;
      if (f.n >= len) return done(f, 0);
      const c = b[f.at + f.n];
      if (c === 0x2c) {
        this.popPath();
        f.n++;
        this.ib++;
      } else if (c === 0x7d) {
        this.popPath();
        this.ib++;
        return done(f, f.n + 1);
      } else return done(f, 0);
    }
    if (f.n >= len) return done(f, 0);
    f.n += this.space(f.at + f.n);
    if (f.n >= len) return done(f, 0);
    if (b[f.at + f.n] === 0x7d /* } */) {
      this.ib++;
      return done(f, f.n + 1);
    }
    if (b[f.at + f.n] !== 0x22) return done(f, 0);
    f.n++;
    this.ib++;
    f.queryMatched = -1;
    const keyLen = this.string(f.at + f.n);
    if (keyLen === 0) return done(f, 0);
    this.appendPath(b.subarray(f.at + f.n, f.at + f.n + keyLen - 1));
    if (!this.querySatisfied) f.queryMatched = this.queryPathMatch();
    f.n += keyLen;
    f.n += this.space(f.at + f.n);
    if (f.n >= len) return done(f, 0);
    if (b[f.at + f.n] !== 0x3a /* : */) return done(f, 0);
    f.n++;
    this.ib++;
    f.n += this.space(f.at + f.n);
    if (f.n >= len) return done(f, 0);
    f.pc = 1;
    return false;
  }

}

const ANY = 0;
const ARRAY = 1;
const OBJECT = 2;

interface Frame {
  kind: number;
  /** Start of the input this invocation received (b[at:] in the Go code). */
  at: number;
  lvl: number;
  /** Bytes consumed so far (the Go local n). */
  n: number;
  /** Resume point: 0 = entry, 1 = back from a nested call. */
  pc: number;
  t: number;
  queryMatched: number;
  ret: number;
}

const anyFrame = (at: number, lvl: number): Frame => ({ kind: ANY, at, lvl, n: 0, pc: 0, t: TokInvalid, queryMatched: -1, ret: 0 });
const containerFrame = (kind: number, at: number, lvl: number): Frame => ({ kind, at, lvl, n: 0, pc: 0, t: TokInvalid, queryMatched: -1, ret: 0 });
function done(f: Frame, ret: number): true {
  f.ret = ret;
  return true;
}

export function parseJSON(query: QueryName, raw: Uint8Array): ParseResult {
  const p = new Parser(raw, QUERIES[query]);
  const parsed = p.parse();
  return { parsed, inspected: p.ib, firstToken: p.firstToken, querySatisfied: p.querySatisfied };
}
