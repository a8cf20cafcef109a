/**
 * The npm packages that are native addons, loaded with require() on first use: imported from an
 * ES module, a CommonJS package is first scanned by Node's lexer for its exports, which costs each
 * thread that loads one tens of ms (their loaders are long), and most commands need neither.
 */
import { createRequire } from 'node:module';

type Xattr = typeof import('@napi-rs/xattr');
type Lz4 = typeof import('lz4-napi');

const require = createRequire(import.meta.url);
let xattrModule: Xattr | undefined;
let lz4Module: Lz4 | undefined;

/** @napi-rs/xattr */
export function xattr(): Xattr {
  return (xattrModule ??= require('@napi-rs/xattr') as Xattr);
}

/** lz4-napi: the LZ4 decoder of the read path (the writer has its own encoder) */
export function lz4(): Lz4 {
  return (lz4Module ??= require('lz4-napi') as Lz4);
}
