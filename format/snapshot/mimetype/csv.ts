// CSV/TSV field counting with the behaviour of mimetype v1.4.13's internal/csv parser (which
// mirrors encoding/csv without allocating), and the CSV/TSV detectors built on it.

import { Scanner } from './scan.js';

class FieldCounter {
  private readonly s: Scanner;

  constructor(
    private readonly comma: number,
    private readonly comment: number,
    input: Uint8Array,
  ) {
    this.s = new Scanner(input);
  }

  private readLine(): [Uint8Array, boolean] {
    const line = this.s.readSlice(0x0a);
    const n = line.length;
    if (n > 0 && line[n - 1] === 0x0d) return [line.subarray(0, n - 1), false];
    if (n >= 2 && line[n - 2] === 0x0d && line[n - 1] === 0x0a) return [line.subarray(0, n - 2), true];
    return [line, false];
  }

  /** Number of fields in the next non-empty, non-comment record (0 at the end). */
  countFields(): number {
    let finished = false;
    let line: Uint8Array;
    let cutShort: boolean;
    for (;;) {
      [line, cutShort] = this.readLine();
      if (finished) return 0;
      finished = this.s.length === 0 && line.length === 0;
      if (line.length === lengthNL(line)) continue; // skip empty lines
      if (line.length > 0 && line[0] === this.comment) continue;
      break;
    }
    let fields = 0;
    const ln = new Scanner(line);
    parseField: for (;;) {
      if (ln.length === 0 || ln.b[0] !== 0x22) {
        // Unquoted field.
        fields++;
        const i = ln.b.indexOf(this.comma);
        if (i >= 0) {
          ln.advance(i + 1);
          continue parseField;
        }
        break parseField;
      }
      // Quoted field.
      ln.advance(1);
      for (;;) {
        const i = ln.b.indexOf(0x22);
        if (i >= 0) {
          ln.advance(i + 1);
          const rn = ln.peek();
          if (rn === 0x22) {
            ln.advance(1);
          } else if (rn === this.comma) {
            ln.advance(1);
            fields++;
            continue parseField;
          } else if (lengthNL(ln.b) === ln.length) {
            fields++;
            break parseField;
          }
        } else if (ln.length > 0 || cutShort) {
          [ln.b, cutShort] = this.readLine();
        } else {
          fields++;
          break parseField;
        }
      }
    }
    return fields;
  }
}

function lengthNL(b: Uint8Array): number {
  return b.length > 0 && b[b.length - 1] === 0x0a ? 1 : 0;
}

/** Drops the last (possibly cut) line when the input was truncated at the read limit. */
function dropLastLine(b: Uint8Array, limit: number): Uint8Array {
  if (limit === 0 || b.length < limit) return b;
  for (let i = b.length - 1; i > 0; i--) if (b[i] === 0x0a) return b.subarray(0, i);
  return b;
}

function separatedValues(raw: Uint8Array, comma: number, limit: number): boolean {
  const r = new FieldCounter(comma, 0x23 /* # */, dropLastLine(raw, limit));
  const headerFields = r.countFields();
  if (headerFields < 2) return false;
  let lines = 1;
  for (;;) {
    const fields = r.countFields();
    if (fields === 0) break;
    lines++;
    if (fields !== headerFields) return false;
    if (lines >= 10) return true;
  }
  return lines >= 2;
}

export const csv = (raw: Uint8Array, limit: number): boolean => separatedValues(raw, 0x2c, limit);
export const tsv = (raw: Uint8Array, limit: number): boolean => separatedValues(raw, 0x09, limit);
