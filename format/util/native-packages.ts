/**
 * The npm package that is a native addon, loaded with require() on first use: imported from an
 * ES module, a CommonJS package is first scanned by Node's lexer for its exports, which costs each
 * thread that loads one tens of ms (its loader is long), and most commands do not need it.
 */
import { createRequire } from 'node:module';

type Xattr = typeof import('@napi-rs/xattr');

const require = createRequire(import.meta.url);
let xattrModule: Xattr | undefined;

/** @napi-rs/xattr */
export function xattr(): Xattr {
  return (xattrModule ??= require('@napi-rs/xattr') as Xattr);
}

