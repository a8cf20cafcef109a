// SGML attribute extraction and comment skipping, with the semantics of mimetype v1.4.13's
// internal/markup package (itself based on the WHATWG "prescan a byte stream" algorithm).

import { bytesOf, hasPrefix, indexOf, isWS, Scanner } from './scan.js';

export interface Attribute {
  name: Uint8Array | null;
  val: Uint8Array | null;
  hasMore: boolean;
}

const EMPTY: Attribute = { name: null, val: null, hasMore: false };

/** Assumes a tag name was passed over; extracts the next attribute and its value. */
export function getAnAttribute(s: Scanner): Attribute {
  while (isWS(s.peek()) || s.peek() === 0x2f /* / */) s.advance(1);
  if (s.peek() === 0x3e /* > */) return EMPTY;
  const orig = s.b;
  let end = 0;
  for (;;) {
    const bap = s.pop();
    if (bap === 0) return EMPTY;
    if (bap === 0x3d /* = */ && end > 0) {
      const [val, hasMore] = getAValue(s);
      return { name: orig.subarray(0, end), val, hasMore };
    } else if (isWS(bap)) {
      s.skipWS();
      if (s.peek() !== 0x3d) return { name: orig.subarray(0, end), val: null, hasMore: true };
      s.advance(1);
      s.skipWS();
      const [val, hasMore] = getAValue(s);
      return { name: orig.subarray(0, end), val, hasMore };
    } else if (bap === 0x2f || bap === 0x3e) {
      return { name: orig.subarray(0, end), val: null, hasMore: false };
    } else {
      end++;
    }
  }
}

function getAValue(s: Scanner): [Uint8Array | null, boolean] {
  s.skipWS();
  const orig = s.b;
  let end = 0;
  let bap = s.pop();
  if (bap === 0) return [null, false];
  end++;
  if (bap === 0x22 || bap === 0x27) {
    const val = s.popUntilByte(bap);
    if (s.pop() !== bap) return [null, false];
    const next = s.peek();
    return [val, next !== 0 && next !== 0x3e];
  }
  if (bap === 0x3e) return [null, false];
  for (;;) {
    bap = s.pop();
    if (bap === 0) return [null, false];
    if (isWS(bap)) return [orig.subarray(0, end), true];
    if (bap === 0x3e) return [orig.subarray(0, end), false];
    end++;
  }
}

const COMMENT_OPEN = bytesOf('<!--');
const COMMENT_CLOSE = bytesOf('-->');

/** Skips one "<!-- ... -->" comment at the start of s; reports whether it did. */
export function skipAComment(s: Scanner): boolean {
  if (hasPrefix(s.b, COMMENT_OPEN)) {
    // The opening and closing "--" may overlap ("<!-->").
    const i = indexOf(s.b.subarray(2), COMMENT_CLOSE);
    if (i !== -1) {
      s.advance(i + 2 + 3);
      return true;
    }
  }
  return false;
}
