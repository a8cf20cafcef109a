// Content-type detection must give exactly what Plakar records: mimetype.Detect(firstChunk)
// .String() of github.com/gabriel-vasile/mimetype v1.4.13.
//
// The corpus below is generated deterministically (hand-made samples of ~200 formats and
// edge cases, plus seeded mutations of them). fixtures/vectors/mimetype.json holds, for each
// sample, a hash of its bytes and the string the real Go library returned for them.
//
// Regenerating the vectors (only needed when the corpus changes):
//   MIMETYPE_DUMP_DIR=/tmp/mtcorpus npx vitest run test/mimetype.test.ts
// writes every sample to that directory (files 00000 … plus index.json); run a Go program
// printing mimetype.Detect(bytes).String() over those files and store the results with the
// names and hashes from index.json.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectContentType, MIMETYPE_READ_LIMIT } from '../format/snapshot/mimetype.js';

// ---------------------------------------------------------------------------------------------
// Byte helpers

const enc = new TextEncoder();
const u8 = (s: string): Uint8Array => enc.encode(s);
/** Latin-1: each char code is one byte. */
const lat = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);
const hex = (h: string): Uint8Array => Uint8Array.from(h.replace(/\s+/g, '').match(/../g) ?? [], (x) => parseInt(x, 16));
function cat(...parts: (Uint8Array | string | number[])[]): Uint8Array {
  const bufs = parts.map((p) => (typeof p === 'string' ? lat(p) : p instanceof Uint8Array ? p : Uint8Array.from(p)));
  const out = new Uint8Array(bufs.reduce((n, b) => n + b.length, 0));
  let o = 0;
  for (const b of bufs) {
    out.set(b, o);
    o += b.length;
  }
  return out;
}
const zeros = (n: number): Uint8Array => new Uint8Array(n);
function repeatTo(unit: Uint8Array | string, n: number): Uint8Array {
  const u = typeof unit === 'string' ? u8(unit) : unit;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = u[i % u.length]!;
  return out;
}
function put(buf: Uint8Array, at: number, data: Uint8Array | string | number[]): Uint8Array {
  buf.set(cat(data), at);
  return buf;
}
const le16 = (v: number): number[] => [v & 0xff, (v >> 8) & 0xff];
const le32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
const be32 = (v: number): number[] => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
function utf16(s: string, bigEndian: boolean, bom: boolean): Uint8Array {
  const out: number[] = bom ? (bigEndian ? [0xfe, 0xff] : [0xff, 0xfe]) : [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out.push(...(bigEndian ? [c >> 8, c & 0xff] : [c & 0xff, c >> 8]));
  }
  return Uint8Array.from(out);
}

/** mulberry32: a small deterministic PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function randomBytes(rand: () => number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(rand() * 256);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Format builders

function zipEntry(name: string, data: Uint8Array | string = '', extra: Uint8Array = new Uint8Array(0)): Uint8Array {
  const d = typeof data === 'string' ? u8(data) : data;
  return cat('PK\x03\x04', le16(20), le16(0), le16(0), le16(0), le16(0), le32(0), le32(d.length), le32(d.length), le16(name.length), le16(extra.length), name, extra, d);
}
const zipOf = (...entries: Uint8Array[]): Uint8Array => cat(...entries, 'PK\x05\x06', zeros(18));

function tarHeader(name: string, opts: { signed?: boolean; checksum?: 'ok' | 'bad' | 'blank' } = {}): Uint8Array {
  const h = new Uint8Array(512);
  put(h, 0, name);
  put(h, 100, '0000644\x00');
  put(h, 108, '0001750\x00');
  put(h, 116, '0001750\x00');
  put(h, 124, '00000000012\x00');
  put(h, 136, '14712345670\x00');
  h[156] = 0x30;
  put(h, 257, 'ustar\x0000');
  put(h, 265, 'user');
  put(h, 297, 'group');
  if (opts.signed) put(h, 345, [0xe9, 0xe8, 0xff]);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : opts.signed ? ((h[i]! << 24) >> 24) : h[i]!;
  if (opts.checksum === 'bad') sum += 1;
  if (opts.checksum === 'blank') put(h, 148, '        ');
  else put(h, 148, sum.toString(8).padStart(6, '0') + '\x00 ');
  return cat(h, repeatTo('hello tar\n', 512));
}

function elf(type: number, bigEndian = false): Uint8Array {
  const h = new Uint8Array(64);
  put(h, 0, [0x7f, 0x45, 0x4c, 0x46, 2, bigEndian ? 2 : 1, 1, 0]);
  put(h, 16, bigEndian ? [0, type] : [type, 0]);
  put(h, 18, bigEndian ? [0, 0x3e] : [0x3e, 0]);
  return cat(h, randomBytes(prng(type), 200));
}

function ole(clsid: Uint8Array | null, opts: { v4?: boolean; at512?: Uint8Array; tail?: Uint8Array } = {}): Uint8Array {
  const sector = opts.v4 ? 4096 : 512;
  const buf = new Uint8Array(sector + 1024);
  put(buf, 0, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
  put(buf, 24, [0x3e, 0x00, opts.v4 ? 0x04 : 0x03, 0x00, 0xfe, 0xff, opts.v4 ? 0x0c : 0x09, 0x00]);
  put(buf, 48, le32(0));
  if (opts.at512) put(buf, 512, opts.at512);
  put(buf, sector, cat(u8('R\x00o\x00o\x00t\x00 \x00E\x00n\x00t\x00r\x00y\x00')));
  if (clsid) put(buf, sector + 80, clsid);
  if (opts.tail) put(buf, 1200, opts.tail);
  return buf;
}
const guid = (first: number[], tail = [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46]): Uint8Array =>
  Uint8Array.from([...first, ...tail]);

const ftyp = (brand: string, first = 0): Uint8Array => cat([first, 0, 0, 0x18], 'ftyp', brand, [0, 0, 0, 0], 'isommp41', zeros(32));

function matroska(docType: string, idOffset = 0): Uint8Array {
  return cat([0x1a, 0x45, 0xdf, 0xa3, 0x9f], zeros(idOffset), [0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x80 | docType.length], docType, zeros(20));
}

function pngFile(animated: boolean): Uint8Array {
  return cat(
    [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
    be32(13),
    'IHDR',
    be32(1),
    be32(1),
    [8, 6, 0, 0, 0],
    [0x1f, 0x15, 0xc4, 0x89],
    be32(8),
    animated ? 'acTL' : 'IDAT',
    zeros(40),
  );
}

function wavLike(kind: string): Uint8Array {
  return cat('RIFF', le32(1000), kind, 'fmt ', le32(16), le16(1), le16(2), le32(44100), le32(176400), le16(4), le16(16), 'data', le32(0));
}

function oggPage(payload: string): Uint8Array {
  return cat('OggS', [0, 2], zeros(8), le32(1), le32(0), le32(0), [1, payload.length], payload, zeros(30));
}

const lorem =
  'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. ';

// ---------------------------------------------------------------------------------------------
// The corpus

type Sample = [name: string, bytes: Uint8Array];

function seeds(): Sample[] {
  const s: Sample[] = [];
  const add = (name: string, b: Uint8Array | string): void => {
    s.push([name, typeof b === 'string' ? u8(b) : b]);
  };
  const L = MIMETYPE_READ_LIMIT;

  // --- plain text, sizes and charsets ---
  add('empty', new Uint8Array(0));
  add('one-byte-a', 'a');
  add('one-byte-nul', zeros(1));
  add('one-byte-ff', hex('ff'));
  add('one-byte-e9', hex('e9'));
  add('newline', '\n');
  add('crlf-only', '\r\n\r\n');
  add('spaces', '   \t  ');
  add('ascii-short', 'hello world\n');
  add('ascii-lines', lorem.repeat(5).replace(/\. /g, '.\n'));
  add('ascii-3071', repeatTo(lorem, L - 1));
  add('ascii-3072', repeatTo(lorem, L));
  add('ascii-3073', repeatTo(lorem, L + 1));
  add('ascii-64k', repeatTo(lorem, 65536));
  add('ascii-nul-at-3072', cat(repeatTo(lorem, L), [0], repeatTo(lorem, 100)));
  add('ascii-nul-at-3071', cat(repeatTo(lorem, L - 1), [0], repeatTo(lorem, 100)));
  add('ascii-nul-early', cat('abc', [0], 'def'));
  add('ascii-esc', 'color \x1b[31mred\x1b[0m\n');
  add('ascii-del', 'delete \x7f char\n');
  add('ascii-formfeed', 'page1\fpage2\n');
  add('ascii-vtab', 'a\x0bb\n');
  add('ascii-bell', 'ding\x07\n');
  add('ascii-backspace', 'ab\x08c\n');
  add('ascii-0x1c', 'a\x1cb');
  add('ascii-0x0e', 'a\x0eb');
  add('utf8-french', u8('Le cœur a ses raisons que la raison ne connaît point. Été, garçon, naïve.\n'));
  add('utf8-cjk', u8('日本語のテキストです。中文文本。한국어 텍스트.\n'));
  add('utf8-emoji', u8('emoji 😀🎉👍 and more 🚀\n'));
  add('utf8-bom', cat([0xef, 0xbb, 0xbf], u8('with bom é\n')));
  add('utf8-bom-only', hex('efbbbf'));
  add('utf8-cut-at-1024', cat(repeatTo('a', 1022), u8('€€€€'), 'tail'));
  add('utf8-cut-at-1023', cat(repeatTo('a', 1021), u8('€€€€'), 'tail'));
  add('utf8-cut-at-3072', cat(repeatTo(u8('é'), 3071), u8('€'), repeatTo(u8('é'), 100)));
  add('utf8-4byte-at-end', cat(repeatTo('a', 1020), u8('😀😀')));
  add('utf8-last-rune-complete', u8('abc é'));
  add('utf8-last-rune-partial', cat('abc ', [0xc3]));
  add('utf8-only-high-prefix', cat([0xc3, 0xa9], 'abc'));
  add('utf8-overlong', cat('abc ', [0xc0, 0xaf], ' def'));
  add('utf8-surrogate', cat('abc ', [0xed, 0xa0, 0x80], ' def'));
  add('utf8-above-10ffff', cat('abc ', [0xf4, 0x90, 0x80, 0x80], ' def'));
  add('utf8-stray-continuation', cat('abc ', [0x80], ' def'));
  add('utf16le-bom', utf16('Hello UTF-16 little endian\n', false, true));
  add('utf16be-bom', utf16('Hello UTF-16 big endian\n', true, true));
  add('utf16le-nobom', utf16('Hello UTF-16 little endian\n', false, false));
  add('utf16be-nobom', utf16('Hello UTF-16 big endian\n', true, false));
  add('utf16le-bom-html', utf16('<html><body>x</body></html>', false, true));
  add('utf32le-bom', cat([0xff, 0xfe, 0, 0], [0x41, 0, 0, 0, 0x42, 0, 0, 0]));
  add('utf32be-bom', cat([0, 0, 0xfe, 0xff], [0, 0, 0, 0x41, 0, 0, 0, 0x42]));
  add('latin1', lat('Caf\xe9 cr\xe8me br\xfbl\xe9e, na\xefve fa\xe7ade.\n'));
  add('latin1-nbsp', lat('price:\xa0100\xa0\xa3\n'));
  add('cp1252-nel', lat('ellipsis\x85 and more\n'));
  add('cp1252-euro', lat('price \x80 100 \x93quoted\x94\n'));
  add('latin1-with-del', lat('caf\xe9\x7f\n'));
  add('latin1-with-esc', lat('caf\xe9\x1b\n'));
  add('latin1-after-1024', cat(repeatTo('x', 1030), lat('caf\xe9')));
  add('mixed-utf8-latin1', cat(u8('é'), lat(' caf\xe9')));

  // --- binary noise ---
  const r = prng(42);
  add('random-16', randomBytes(r, 16));
  add('random-4k', randomBytes(r, 4096));
  add('zeros-100', zeros(100));
  add('zeros-5000', zeros(5000));
  add('ff-100', repeatTo(hex('ff'), 100));
  add('high-bytes-only', repeatTo(hex('a0b0c0d0e0f0'), 60));

  // --- shebangs ---
  const sheb: [string, string][] = [
    ['sh', '#!/bin/sh\necho hi\n'],
    ['sh-space', '#! /bin/sh\necho hi\n'],
    ['sh-tab', '#!\t/bin/sh -e\necho hi\n'],
    ['sh-crlf', '#!/bin/sh\r\necho hi\r\n'],
    ['sh-x', '#!/bin/shx\n'],
    ['sh-only', '#!/bin/sh'],
    ['bash', '#!/bin/bash\nset -e\n'],
    ['bash-env', '#!/usr/bin/env bash\n'],
    ['bash-env-2spaces', '#!/usr/bin/env  bash\n'],
    ['bash-env-S', '#!/usr/bin/env -S bash -x\n'],
    ['bash-local', '#!/usr/local/bin/bash\n'],
    ['bash-usr-bin', '#!/usr/bin/bash\n'],
    ['zsh', '#!/bin/zsh\n'],
    ['dash', '#!/bin/dash\n'],
    ['ksh', '#!/bin/ksh\n'],
    ['csh', '#!/bin/csh -f\n'],
    ['tcsh', '#!/usr/bin/env tcsh\n'],
    ['python', '#!/usr/bin/python\nprint(1)\n'],
    ['python3', '#!/usr/bin/python3\nprint(1)\n'],
    ['python3.11', '#!/usr/bin/python3.11\nprint(1)\n'],
    ['python-env', '#!/usr/bin/env python3\nprint(1)\n'],
    ['python-env-2spaces', '#!/usr/bin/env   python3\nprint(1)\n'],
    ['python-local', '#!/usr/local/bin/python2\n'],
    ['python-env-S', '#!/usr/bin/env -S python3 -u\n'],
    ['perl', '#!/usr/bin/perl\nuse strict;\n'],
    ['perl-w', '#!/usr/bin/perl -w\n'],
    ['perl-T', '#!/usr/bin/perl\t-T\n'],
    ['perl5', '#!/usr/bin/perl5\n'],
    ['perl-env', '#!/usr/bin/env perl\n'],
    ['node', '#!/usr/bin/node\n'],
    ['node-env', '#!/usr/bin/env node\nconsole.log(1)\n'],
    ['node-env-S', '#!/usr/bin/env -S node --experimental\n'],
    ['nodejs', '#!/usr/bin/nodejs\n'],
    ['ruby', '#!/usr/bin/ruby\n'],
    ['ruby-env', '#!/usr/bin/env ruby\n'],
    ['lua', '#!/usr/bin/lua\n'],
    ['lua5.3', '#!/usr/bin/lua5.3\n'],
    ['lua-env', '#!/usr/bin/env lua\n'],
    ['tclsh', '#!/usr/bin/tclsh\n'],
    ['wish', '#!/usr/bin/env wish\n'],
    ['php-shebang', '#!/usr/bin/php\n<?php echo 1;\n'],
    ['php-env', '#!/usr/bin/env php\n'],
    ['awk', '#!/usr/bin/awk -f\n'],
    ['leading-space', ' #!/bin/sh\n'],
    ['hash-only', '#!\n'],
    ['hash-bang-empty-file', '#!'],
    ['amr', '#!AMR\n'],
    ['rnews', '#! rnews 123\nFrom: a@b\n'],
  ];
  for (const [n, t] of sheb) add(`shebang-${n}`, t);

  // --- JSON family ---
  add('json-empty-object', '{}');
  add('json-empty-array', '[]');
  add('json-object', '{"name": "ptar", "version": 1, "tags": ["a", "b"], "ok": true, "none": null}\n');
  add('json-array', '[1, 2.5, -3e10, "x", {"a": [true, false]}]');
  add('json-string-only', '"just a string"');
  add('json-number-only', '12345');
  add('json-true-only', 'true');
  add('json-leading-ws', '\n\t  {"a": 1}  \n');
  add('json-formfeed-lead', '\f{"a": 1}');
  add('json-trailing-comma', '{"a": 1,}');
  add('json-array-trailing-comma', '[1, 2,]');
  add('json-invalid', '{"a": 1 "b": 2}');
  add('json-unterminated', '{"a": [1, 2, 3');
  add('json-two-docs', '{"a": 1}{"b": 2}');
  add('json-escapes', '{"s": "a\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9"}');
  add('json-bad-escape', '{"s": "a\\x"}');
  add('json-bad-unicode', '{"s": "\\u00zz"}');
  add('json-control-in-string', '{"s": "tab\there"}');
  add('json-bom', cat([0xef, 0xbb, 0xbf], '{"a": 1}'));
  add('json-numbers', '[0, -0, 1.0, .5, 5., 1e5, 1E+5, 1e-5, -.5e3, 01]');
  add('json-bad-number', '[1e]');
  add('json-minus-only', '[-]');
  add('json-deep', '['.repeat(500) + ']'.repeat(500));
  add('json-deep-unclosed', '['.repeat(2000));
  add('json-truncated-big', cat('{"items": [', repeatTo('{"id": 12345, "name": "item name here"}, ', 4000)));
  add('json-truncated-in-string', cat('{"k": "', repeatTo('x', 4000)));
  add('json-big-valid', cat('[', repeatTo('1,', 4000), '1]'));
  add('json-3071', cat('[', repeatTo('1,', 3068), '1]'));
  add('json-3072', cat('[', repeatTo('1,', 3069), '1]'));
  add('json-3073', cat('[', repeatTo('1,', 3070), '1]'));
  add('geojson', '{"type": "FeatureCollection", "features": []}');
  add('geojson-point', '{"type":"Point","coordinates":[1,2]}');
  add('geojson-nested-type', '{"geometry": {"type": "Point"}}');
  add('geojson-array', '[{"type": "Feature"}]');
  add('geojson-bad-type', '{"type": "Something"}');
  add('har', '{"log": {"version": "1.2", "creator": {"name": "x"}, "entries": []}}');
  add('har-creator', '{"log": {"creator": {"name": "x"}}}');
  add('har-after-array', '{"a": [1], "log": {"version": "1.2"}}');
  add('har-after-empty-array', '{"a": [], "log": {"version": "1.2"}}');
  add('gltf', '{"asset": {"version": "2.0", "generator": "x"}, "scenes": []}');
  add('gltf-v3', '{"asset": {"version": "3.0"}}');
  add('ndjson', '{"a": 1}\n{"a": 2}\n{"a": 3}\n');
  add('ndjson-crlf', '{"a": 1}\r\n{"a": 2}\r\n');
  add('ndjson-blank-lines', '{"a": 1}\n\n{"a": 2}\n');
  add('ndjson-scalars', '1\n2\n3\n');
  add('ndjson-mixed', '"x"\n[1]\n');
  add('ndjson-one-line', '{"a": 1}\n');
  add('ndjson-bad-line', '{"a": 1}\nnot json\n');
  add('ndjson-truncated', cat(repeatTo('{"id": 1, "v": "abcdefghij"}\n', 4000)));

  // --- CSV / TSV ---
  add('csv', 'a,b,c\n1,2,3\n4,5,6\n');
  add('csv-crlf', 'a,b,c\r\n1,2,3\r\n');
  add('csv-quoted', 'name,desc\n"x","has, comma"\n"y","has ""quote"""\n');
  add('csv-multiline-quoted', 'name,desc\n"x","line1\nline2"\n"y","z"\n');
  add('csv-inconsistent', 'a,b,c\n1,2\n');
  add('csv-one-line', 'a,b,c\n');
  add('csv-one-column', 'a\nb\nc\n');
  add('csv-comments', '# comment\na,b\n# another\n1,2\n');
  add('csv-blank-lines', 'a,b\n\n\n1,2\n\n');
  add('csv-12-lines', Array.from({ length: 12 }, (_, i) => `${i},x,y`).join('\n'));
  add('csv-10th-bad', Array.from({ length: 9 }, (_, i) => `${i},x`).join('\n') + '\n1,2,3\n');
  add('csv-11th-bad', Array.from({ length: 10 }, (_, i) => `${i},x`).join('\n') + '\n1,2,3\n');
  add('csv-truncated', repeatTo('abc,def,ghi\n', 5000));
  add('csv-truncated-noeol', cat(repeatTo('abc,def,ghi\n', 100), repeatTo('x', 3000)));
  add('csv-unterminated-quote', 'a,b\n"x,y\n1,2\n');
  add('csv-quote-cr', 'a,b\n"x"\r\n1,2\n');
  add('csv-quote-crlf-inside', 'a,b\n"x\r\ny",1\n2,3\n');
  add('tsv', 'a\tb\tc\n1\t2\t3\n');
  add('tsv-quoted', 'a\tb\n"x\ty"\t2\n');
  add('csv-and-tsv', 'a,b\tc\n1,2\t3\n');

  // --- markup ---
  add('html-doctype', '<!DOCTYPE html>\n<html><head><title>x</title></head><body></body></html>\n');
  add('html-lower', '<html>\n<body>hi</body></html>');
  add('html-meta-charset', '<!DOCTYPE html><html><head><meta charset="ISO-8859-1"><title>x</title></head></html>');
  add('html-meta-charset-unquoted', '<html><head><meta charset=windows-1251></head></html>');
  add('html-meta-http-equiv', '<html><head><meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS"></head></html>');
  add('html-meta-content-only', '<html><head><meta content="text/html; charset=koi8-r"></head></html>');
  add('html-meta-content-first', '<html><head><meta content="text/html; charset=\'euc-jp\'" http-equiv="content-type"></head></html>');
  add('html-meta-after-body', '<html><body><meta charset="big5"></body></html>');
  add('html-meta-in-comment', '<html><!-- <meta charset="big5"> --><head></head></html>');
  add('html-meta-upper', '<HTML><HEAD><META CHARSET="GB2312"></HEAD></HTML>');
  add('html-meta-slash', '<html><meta/charset="x-user"></html>');
  add('html-meta-dup-charset', '<html><meta charset="a" charset="b"></html>');
  add('html-meta-spaces', '<html><meta   charset =  "  utf-16  " ></html>');
  add('html-meta-dotted-capital-i', cat('<html><meta http-equ', u8('\u0130'), 'v="Content-Type" content="text/html; charset=dotted">'));
  add('html-meta-kelvin-sign', cat('<html><meta http-equiv="Content-Type" cont', u8('\u212a'), 'nt="text/html; charset=kelvin">'));
  add('html-meta-upper-attrs', '<html><meta HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=upper">');
  add('html-meta-dup-content', '<html><meta http-equiv="content-type" content="text/html; charset=a" content="text/html; charset=b">');
  add('html-meta-invalid-names', cat('<html><meta ', [0xff], '=1 ', [0xfe], '=2 charset="ok"></html>'));
  add('html-meta-nbsp-charset', cat('<html><meta http-equiv="content-type" content="text/html; charset=', u8('\u00a0'), 'koi8-u', u8('\u00a0'), '"></html>'));
  add('html-latin1-nometa', lat('<html><body>caf\xe9</body></html>'));
  add('html-bom', cat([0xef, 0xbb, 0xbf], '<html><meta charset="latin1"></html>'));
  add('html-comment-first', '<!-- generated -->\n<div>x</div>');
  add('html-p', '<p>paragraph</p>');
  add('html-a', '<a href="x">link</a>');
  add('html-b', '<b>bold</b>');
  add('html-br', '<br>');
  add('html-br-eof', '<br');
  add('html-bfoo', '<bfoo>not html</bfoo>');
  add('html-h1', '<H1 class="t">Title</H1>');
  add('html-table', '  \n\t<table>\n</table>');
  add('html-script', '<script>alert(1)</script>');
  add('html-high-byte-sig', cat('<', [0xc8], 'TML>'));
  add('html-late-tag', 'text before <html>');
  add('xml-decl', '<?xml version="1.0"?>\n<root/>\n');
  add('xml-encoding', '<?xml version="1.0" encoding="ISO-8859-1"?>\n<root/>\n');
  add('xml-encoding-single', "<?xml version='1.0' encoding='utf-8'?><a/>");
  add('xml-encoding-upper-decl', '<?XML VERSION="1.0" ENCODING="UTF-8"?><a/>');
  add('xml-no-version', '<?xml encoding="EUC-JP"?><a/>');
  add('xml-encoding-prefix-attr', '<?xml version="1.0" encodingX="weird"?><a/>');
  add('xml-encoding-empty', '<?xml version="1.0" encoding=""?><a/>');
  add('xml-bom', cat([0xef, 0xbb, 0xbf], '<?xml version="1.0" encoding="windows-1252"?><a/>'));
  add('xml-leading-ws', '\n\n   <?xml version="1.0"?><a/>');
  add('xml-utf16-bom', utf16('<?xml version="1.0" encoding="UTF-16"?><a/>', false, true));
  add('xml-no-decl', '<root><child/></root>');
  add('xml-stylesheet-pi', '<?xml version="1.0"?><?xml-stylesheet href="s.xsl" encoding="x"?><a/>');
  add('rss', '<?xml version="1.0"?>\n<rss version="2.0"><channel></channel></rss>');
  add('atom', '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"></feed>');
  add('kml', '<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document/></kml>');
  add('gpx', '<?xml version="1.0"?><gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"></gpx>');
  add('x3d', '<?xml version="1.0"?><X3D profile="Interchange" xmlns:xsd="http://www.w3.org/2001/XMLSchema-instance"></X3D>');
  add('collada', '<?xml version="1.0"?><COLLADA xmlns="http://www.collada.org/2005/11/COLLADASchema" version="1.4.1"/>');
  add('gml', '<?xml version="1.0"?><x:FeatureCollection xmlns:gml="http://www.opengis.net/gml"/>');
  add('tcx', '<?xml version="1.0"?><TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"/>');
  add('amf', '<?xml version="1.0"?><amf unit="mm"></amf>');
  add('3mf', '<?xml version="1.0"?><model unit="mm" xmlns="http://schemas.microsoft.com/3dmanufacturing/core/2015/02"/>');
  add('xfdf', '<?xml version="1.0"?><xfdf xmlns="http://ns.adobe.com/xfdf/"/>');
  add('owl', '<?xml version="1.0"?><Ontology xmlns="http://www.w3.org/2002/07/owl#"/>');
  add('xliff', '<?xml version="1.0"?><xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"/>');
  add('xhtml', '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "x">\n<html xmlns="http://www.w3.org/1999/xhtml"/>');
  add('xhtml-xmlns', '<?xml version="1.0"?>\n<html   xmlns="http://www.w3.org/1999/xhtml"/>');
  add('svg-plain', '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect/></svg>');
  add('svg-decl', '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<svg width="1" xmlns="http://www.w3.org/2000/svg"/>');
  add('svg-comment', '<!-- c --><!-- d -->\n<svg version="1.1" xmlns="http://www.w3.org/2000/svg"></svg>');
  add('svg-no-ns', '<svg width="10"></svg>');
  add('svg-single-quote-ns', "<svg xmlns='http://www.w3.org/2000/svg'/>");
  add('svg-decl-no-version', '<?xml encoding="UTF-8"?><svg/>');
  add('svg-doctype', '<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n<svg/>');
  add('php', '<?php\necho "hi";\n');
  add('php-upper', '<?PHP echo 1;');
  add('php-short', '<? echo 1; ?>');
  add('php-short-eof', '<? ');

  // --- other text formats ---
  add('rtf', '{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Times;}} Hello}');
  add('srt', '1\n00:02:16,612 --> 00:02:19,376\nSubtitle text\n\n2\n');
  add('srt-crlf', '1\r\n00:00:01,000 --> 00:00:02,000\r\nHi\r\n');
  add('srt-one-digit-hour', '1\n0:02:16,612 --> 00:02:19,3760\nx\n');
  add('srt-period', '1\n00:02:16.612 --> 00:02:19.376\nx\n');
  add('srt-reversed', '1\n00:02:19,376 --> 00:02:16,612\nx\n');
  add('srt-no-text', '1\n00:02:16,612 --> 00:02:19,376\n\n');
  add('srt-bad-minute', '1\n00:72:16,612 --> 00:02:19,376\nx\n');
  add('srt-plus-frac', '1\n00:02:16,+12 --> 00:02:19,376\nx\n');
  add('srt-minus-zero', '1\n00:02:16,-00 --> 00:02:19,376\nx\n');
  add('srt-minus-frac', '1\n00:02:16,-12 --> 00:02:19,376\nx\n');
  add('srt-equal-times', '1\n00:00:01,000 --> 00:00:01,000\nx\n');
  add('vtt', 'WEBVTT\n\n00:01.000 --> 00:04.000\nHello\n');
  add('vtt-bom', cat([0xef, 0xbb, 0xbf], 'WEBVTT - title\n'));
  add('vtt-exact', 'WEBVTT');
  add('vtt-no-sep', 'WEBVTTX\n');
  add('vcard', 'BEGIN:VCARD\nVERSION:3.0\nFN:John\nEND:VCARD\n');
  add('vcard-lower', 'begin:vcard\r\nversion:4.0\r\n');
  add('ical', 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n');
  add('warc', 'WARC/1.0\r\nWARC-Type: warcinfo\r\n');
  add('eml', 'From: alice@example.com\nTo: bob@example.com\nSubject: hi\n\nbody\n');
  add('eml-received', 'Received: from x by y\nDate: Mon, 1 Jan 2024\n');
  add('eml-cc-lower', 'cc: x@y\ndelivered-to: z@w\n');
  add('eml-one-hint', 'From: alice@example.com\nnothing else\n');
  add('eml-late-hint', 'Subject: x\n' + 'line\n'.repeat(20) + 'To: y\n');
  add('eml-too-late-hint', 'Subject: x\n' + 'line\n'.repeat(21) + 'To: y\n');
  add('mbox', 'From alice@example.com Mon Jan  1 00:00:00 2024\nFrom: alice\nTo: bob\n');
  add('pbm', 'P1\n# comment\n4 4\n0 1 0 1\n');
  add('pgm-binary', cat('P5\n3 2\n255\n', [0, 128, 255, 1, 2, 3]));
  add('ppm', 'P3\n  2 2\n255\n255 0 0 0 255 0 0 0 255 1 1 1\n');
  add('ppm-zero-width', 'P3\n0 2\n255\n');
  add('ppm-plus', 'P3\n+2 +2\n255\n');
  add('ppm-no-dims', 'P3\n\n\n');
  add('pbm-huge', 'P1\n99999999999999999999 2\n');
  add('pam', 'P7\nWIDTH 4\nHEIGHT 2\nDEPTH 4\nMAXVAL 255\nTUPLTYPE RGB_ALPHA\nENDHDR\n');
  add('pam-missing-depth', 'P7\nWIDTH 4\nHEIGHT 2\nMAXVAL 255\nENDHDR\n');
  add('m3u', '#EXTM3U\n#EXTINF:123,Artist - Title\nfile.mp3\n');
  add('hdr', '#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n');
  add('torrent', 'd8:announce35:http://tracker.example.com/announce4:infod4:name1:xee');
  add('dxf', '  0\nSECTION\n  2\nHEADER\n');
  add('pdf-in-text', 'Some text that mentions %PDF-1.4 in it\n');
  add('ps', '%!PS-Adobe-3.0\n%%Title: x\n');
  add('fdf', '%FDF-1.2\n');
  add('xpm', '/* XPM */\nstatic char *x[] = {"1 1 1 1"};\n');
  add('p7s-pem', '-----BEGIN PKCS7-----\nMIAG\n-----END PKCS7-----\n');
  add('marc-text', cat('00714cam a2200205 a 4500', '001000', [0x1e], 'rest'));
  add('framemaker-text', '<MakerFile 5.0>\nno nul\n');
  add('framemaker', cat('<MakerFile 5.0>', [0], 'binary'));
  add('bookfile', cat('<bookFile 6.0>', [0], 'x'));
  add('zlib-text', 'x^ looks like zlib but is text');
  add('lotus-like-text', cat([0, 0, 2, 0], 'abcdefghijklmnopqrstuvwxyz'));

  // --- images ---
  add('png', pngFile(false));
  add('apng', pngFile(true));
  add('png-sig-only', hex('89504e470d0a1a0a'));
  add('jpeg', cat([0xff, 0xd8, 0xff, 0xe0, 0, 0x10], 'JFIF\x00', zeros(50)));
  add('jpeg-3-bytes', hex('ffd8ff'));
  add('gif87', cat('GIF87a', zeros(20)));
  add('gif89', cat('GIF89a', le16(1), le16(1), zeros(20)));
  add('webp', cat('RIFF', le32(100), 'WEBPVP8 ', zeros(20)));
  add('bmp', cat('BM', le32(1000), zeros(4), le32(54), le32(40), zeros(30)));
  add('bmp-bad-dib', cat('BM', le32(1000), zeros(4), le32(54), le32(41), zeros(30)));
  add('ico', cat([0, 0, 1, 0, 1, 0], zeros(30)));
  add('cur', cat([0, 0, 2, 0, 1, 0], zeros(30)));
  add('tiff-le', cat('II*\x00', le32(8), zeros(20)));
  add('tiff-be', cat('MM\x00*', be32(8), zeros(20)));
  add('psd', cat('8BPS', [0, 1], zeros(30)));
  add('jxl-codestream', hex('ff0a fa7f'));
  add('jxl-container', cat(hex('0000000c4a584c200d0a870a'), zeros(20)));
  add('jp2', cat(hex('0000000c6a5020200d0a870a'), be32(20), 'ftyp', 'jp2 ', zeros(20)));
  add('jpx', cat(hex('0000000c6a5020200d0a870a'), be32(20), 'ftyp', 'jpx ', zeros(20)));
  add('jpm', cat(hex('0000000c6a5020200d0a870a'), be32(20), 'ftyp', 'jpm ', zeros(20)));
  add('jxs', cat(hex('0000000c4a5853200d0a870a'), zeros(20)));
  add('jxr', cat('II\xbc\x01', zeros(20)));
  add('heic', ftyp('heic'));
  add('heif', ftyp('mif1'));
  add('avif', ftyp('avif'));
  add('icns', cat('icns', be32(100), zeros(20)));
  add('bpg', cat('BPG\xfb', zeros(20)));
  add('xcf', cat('gimp xcf v011\x00', zeros(20)));
  add('gimp-pat', cat(be32(28), be32(1), be32(1), be32(1), be32(3), 'GPAT', 'name\x00'));
  add('gimp-gbr', cat(be32(28), be32(2), be32(1), be32(1), be32(1), 'GIMP', be32(10)));
  add('djvu', cat('AT&TFORM', be32(100), 'DJVU', 'INFO', zeros(10)));
  add('dwg', cat('AC1032', zeros(20)));
  add('dwg-bad', cat('AC9999', zeros(20)));

  // --- audio / video ---
  add('mp3-id3', cat('ID3', [4, 0, 0, 0, 0, 0, 0], zeros(30)));
  add('mp3-frame', cat([0xff, 0xfb, 0x90, 0x64], zeros(30)));
  add('mp3-v2', cat([0xff, 0xf3, 0x90, 0x64], zeros(30)));
  add('aac-adts', cat([0xff, 0xf1, 0x50, 0x80], zeros(30)));
  add('flac', cat('fLaC', [0, 0, 0, 0x22], zeros(40)));
  add('ogg-vorbis', oggPage('\x01vorbis'));
  add('ogg-opus', oggPage('OpusHead'));
  add('ogg-theora', oggPage('\x80theora'));
  add('ogg-unknown', oggPage('\x01unknown'));
  add('midi', cat('MThd', be32(6), [0, 1, 0, 2, 0, 96]));
  add('wav', wavLike('WAVE'));
  add('avi', cat('RIFF', le32(1000), 'AVI LIST', zeros(20)));
  add('qcp', wavLike('QLCM'));
  add('riff-other', wavLike('CDXA'));
  add('aiff', cat('FORM', be32(100), 'AIFF', 'COMM', zeros(20)));
  add('au', cat('.snd', be32(24), zeros(20)));
  add('ape', cat(hex('4d414320960f0000340000001800000090e3'), zeros(10)));
  add('musepack', cat('MPCK', zeros(20)));
  add('voc', cat('Creative Voice File\x1a', zeros(10)));
  add('mp4-isom', ftyp('isom'));
  add('mp4-nonzero-first', ftyp('isom', 1));
  add('m4a', ftyp('M4A '));
  add('m4v', ftyp('M4V '));
  add('3gp', ftyp('3gp4'));
  add('3g2', ftyp('3g2a'));
  add('f4a', ftyp('F4A '));
  add('mqv', ftyp('mqt '));
  add('mj2', ftyp('mjp2'));
  add('dvb', ftyp('dvr1'));
  add('quicktime-ftyp', ftyp('qt  '));
  add('quicktime-moov', cat(be32(100), 'moov\x00', zeros(20)));
  add('quicktime-wide', cat(be32(8), 'wide', be32(100), 'mdat'));
  add('webm', matroska('webm'));
  add('mkv', matroska('matroska'));
  add('mkv-late-doctype', matroska('matroska', 100));
  add('ebml-other', matroska('other'));
  add('flv', cat('FLV\x01\x05', zeros(20)));
  add('asf', cat(hex('3026b2758e66cf11a6d900aa0062ce6c'), zeros(20)));
  add('mpeg-ps', cat([0, 0, 1, 0xba], zeros(20)));
  add('mpeg-video', cat([0, 0, 1, 0xb3], zeros(20)));
  add('rmvb', cat('.RMF', zeros(20)));
  add('amr-bin', cat('#!AMR\n', [0x3c, 0x91, 0x17]));

  // --- archives & compression ---
  add('zip-empty', cat('PK\x05\x06', zeros(18)));
  add('zip', zipOf(zipEntry('hello.txt', 'hello world\n')));
  add('zip-spanned', cat('PK\x07\x08', zeros(30)));
  add('docx', zipOf(zipEntry('[Content_Types].xml', '<Types/>'), zipEntry('_rels/.rels', '<x/>'), zipEntry('word/document.xml', '<w/>')));
  add('xlsx', zipOf(zipEntry('[Content_Types].xml', '<Types/>'), zipEntry('xl/workbook.xml', '<w/>')));
  add('pptx', zipOf(zipEntry('_rels/.rels', '<x/>'), zipEntry('ppt/presentation.xml', '<p/>')));
  add('vsdx', zipOf(zipEntry('docProps/app.xml', '<x/>'), zipEntry('visio/document.xml', '<v/>')));
  add('docx-bad-first', zipOf(zipEntry('readme.txt', 'x'), zipEntry('word/document.xml', '<w/>')));
  add('epub', zipOf(zipEntry('mimetype', 'application/epub+zip'), zipEntry('META-INF/container.xml', '<c/>')));
  add('odt', zipOf(zipEntry('mimetype', 'application/vnd.oasis.opendocument.text'), zipEntry('content.xml', '<c/>')));
  add('ott', zipOf(zipEntry('mimetype', 'application/vnd.oasis.opendocument.text-template')));
  add('ods', zipOf(zipEntry('mimetype', 'application/vnd.oasis.opendocument.spreadsheet')));
  add('odp', zipOf(zipEntry('mimetype', 'application/vnd.oasis.opendocument.presentation')));
  add('odg', zipOf(zipEntry('mimetype', 'application/vnd.oasis.opendocument.graphics')));
  add('odf', zipOf(zipEntry('mimetype', 'application/vnd.oasis.opendocument.formula')));
  add('odc', zipOf(zipEntry('mimetype', 'application/vnd.oasis.opendocument.chart')));
  add('sxc', zipOf(zipEntry('mimetype', 'application/vnd.sun.xml.calc')));
  add('jar', zipOf(zipEntry('META-INF/'), zipEntry('META-INF/MANIFEST.MF', 'Manifest-Version: 1.0\n')));
  add('jar-manifest-first', zipOf(zipEntry('META-INF/MANIFEST.MF', 'Manifest-Version: 1.0\n')));
  add('jar-executable', zipOf(zipEntry('META-INF/', '', Uint8Array.of(0xfe, 0xca, 0, 0))));
  add('jar-cafe-elsewhere', zipOf(zipEntry('a.class', '', Uint8Array.of(0xfe, 0xca, 0, 0))));
  add('apk', zipOf(zipEntry('AndroidManifest.xml', 'x'), zipEntry('classes.dex', 'dex')));
  add('apk-late', zipOf(zipEntry('META-INF/MANIFEST.MF', 'x'), zipEntry('res/drawable', ''), zipEntry('classes.dex', 'dex')));
  add('kmz', zipOf(zipEntry('doc.kml', '<kml/>')));
  add('crx', cat('Cr24', le32(3), le32(4), le32(4), zeros(8), zipOf(zipEntry('manifest.json', '{}'))));
  add('crx-bad-offset', cat('Cr24', le32(3), le32(4000), le32(4), zeros(8)));
  add('gzip', cat([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3], randomBytes(prng(7), 40)));
  add('bzip2', cat('BZh91AY&SY', randomBytes(prng(8), 40)));
  add('xz', cat([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0, 4], randomBytes(prng(9), 40)));
  add('zstd', cat(le32(0xfd2fb528), randomBytes(prng(10), 40)));
  add('zstd-skippable', cat(le32(0x184d2a5a), le32(4), zeros(4)));
  add('7z', cat([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0, 4], zeros(30)));
  add('rar4', cat('Rar!\x1a\x07\x00', zeros(30)));
  add('rar5', cat('Rar!\x1a\x07\x01\x00', zeros(30)));
  add('lzip', cat('LZIP\x01', zeros(20)));
  add('cab', cat('MSCF\x00\x00\x00\x00', zeros(30)));
  add('installshield-cab', cat('ISc(', [0, 0, 0, 2], zeros(30)));
  add('xar', cat('xar!', [0, 28, 0, 1], zeros(30)));
  add('tar', tarHeader('hello.txt'));
  add('tar-signed-sum', tarHeader('x\xe9.txt', { signed: true }));
  add('tar-bad-sum', tarHeader('hello.txt', { checksum: 'bad' }));
  add('tar-blank-sum', tarHeader('hello.txt', { checksum: 'blank' }));
  add('tar-gpkg', tarHeader('foo/gpkg-1\x00'));
  add('tar-short', tarHeader('hello.txt').subarray(0, 511));
  add('ar', cat('!<arch>\n', 'foo.o/          ', zeros(48)));
  add('deb', cat('!<arch>\n', 'debian-binary   ', '1700000000  0     0     100644  4         `\n2.0\n'));
  add('rpm', cat([0xed, 0xab, 0xee, 0xdb, 3, 0, 0, 1], zeros(60)));
  add('cpio-newc', cat('070701', repeatTo('0', 104), 'TRAILER!!!\x00'));
  add('cpio-bin', cat(le16(0o70707), zeros(30)));
  add('zlib', cat([0x78, 0x9c], randomBytes(prng(11), 30), [0]));
  add('zlib-short', Uint8Array.of(0x78, 0x01));

  // --- executables & binaries ---
  add('elf-exe', elf(2));
  add('elf-so', elf(3));
  add('elf-obj', elf(1));
  add('elf-core', elf(4));
  add('elf-be-exe', elf(2, true));
  add('elf-unknown-type', elf(9));
  add('elf-short', hex('7f454c46'));
  add('pe', cat('MZ', zeros(58), le32(64), 'PE\x00\x00', zeros(20)));
  add('mz-only', 'MZ');
  add('macho-64', cat(le32(0xfeedfacf), le32(0x01000007), zeros(30)));
  add('macho-32-be', cat(be32(0xfeedface), zeros(30)));
  add('macho-fat', cat(be32(0xcafebabe), be32(2), zeros(30)));
  add('java-class', cat(be32(0xcafebabe), [0, 0, 0, 61], zeros(30)));
  add('cafebabe-ambiguous', cat(be32(0xcafebabe), [0, 0, 0, 25], zeros(30)));
  add('wasm', cat('\x00asm', le32(1), zeros(20)));
  add('sqlite', cat('SQLite format 3\x00', [0x10, 0, 1, 1], zeros(80)));
  add('woff', cat('wOFF', zeros(40)));
  add('woff2', cat('wOF2', zeros(40)));
  add('ttf', cat([0, 1, 0, 0, 0, 0x10, 0, 0x80, 0, 3, 0, 0x70], 'GDEF', zeros(40)));
  add('ttf-cmap', cat([0, 1, 0, 0, 0, 0x10, 0, 0x80, 0, 3, 0, 0x70], 'cmap', zeros(40)));
  add('otf', cat('OTTO\x00\x0a\x00\x80\x00\x03\x00\x20', 'CFF ', zeros(60)));
  add('ttc', cat('ttcf', [0, 1, 0, 0], zeros(20)));
  add('eot', put(zeros(80), 8, cat([2, 0, 1], zeros(23), 'LP')));
  add('swf', cat('FWS', [10], zeros(20)));
  add('swf-compressed', cat('CWS', [10], zeros(20)));
  add('nes', cat('NES\x1a', zeros(20)));
  add('lnk', cat(hex('4c0000000114020000000000c000000000000046'), zeros(20)));
  add('parquet', cat('PAR1', zeros(20)));
  add('cbor', cat([0xd9, 0xd9, 0xf7, 0xa1], zeros(4)));
  add('tzif', cat('TZif2', zeros(15), be32(0), be32(0), be32(0), be32(0), be32(1), be32(4), zeros(20)));
  add('tzif-no-types', cat('TZif2', zeros(15), zeros(24), zeros(20)));
  add('dicom', cat(zeros(128), 'DICM', zeros(20)));
  add('dbf', put(put(zeros(100), 0, [0x03, 124, 1, 15]), 8, le16(65)));
  add('marc', cat('00714cam a2200205 a 4500', [0x1e], zeros(10)));
  add('glb', cat('glTF', le32(2), le32(100), zeros(20)));
  add('mobi', put(zeros(100), 60, 'BOOKMOBI'));
  add('lit', cat('ITOLITLS', zeros(20)));
  add('chm', cat('ITSF\x03\x00\x00\x00\x60\x00\x00\x00', zeros(20)));
  add('onenote', cat(hex('e4525c7b8cd8a74daeb15378d02996d3'), zeros(20)));
  add('wpd', cat('\xffWPC', [16, 0, 0, 0, 1, 10], zeros(20)));
  add('fits', cat('SIMPLE  =                    T', repeatTo(' ', 50)));
  add('shp', put(put(put(zeros(120), 0, be32(9994)), 28, le32(1000)), 108, le32(5)));
  add('shx', put(put(put(zeros(120), 0, be32(9994)), 28, le32(1000)), 108, le32(7)));
  add('grib2', cat('GRIB', [0, 0, 0, 2], zeros(20)));
  add('bufr', cat('BUFR', [0, 0, 0, 4], zeros(20)));
  add('os2-inf', cat('HSP\x01\x9b\x00', zeros(20)));
  add('os2-hlp', cat('HSP\x10\x9b\x00', zeros(20)));
  add('mdb', cat([0, 1, 0, 0], 'Standard Jet DB\x00', zeros(20)));
  add('accdb', cat([0, 1, 0, 0], 'Standard ACE DB\x00', zeros(20)));
  add('lotus-wk1', cat([0, 0, 2, 0, 6, 4, 6, 0], zeros(20)));
  add('lotus-123', cat([0, 0, 0x1a, 0], zeros(16), [5], zeros(10)));
  add('p7s-der', cat([0x30, 0x82, 0x05, 0x00], [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02], zeros(20)));
  add('pdf', cat('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n', randomBytes(prng(12), 200)));
  add('pdf-after-junk', cat(randomBytes(prng(13), 500), '%PDF-1.4\n'));
  add('pdf-after-1024', cat(repeatTo('x', 1020), '%PDF-1.4\n'));
  add('ole-doc', ole(guid([0x06, 0x09, 0x02])));
  add('ole-doc6', ole(guid([0x00, 0x09, 0x02])));
  add('ole-xls-clsid', ole(Uint8Array.of(0x20, 0x08, 0x02, 0, 0, 0, 0, 0)));
  add('ole-xls-subheader', ole(null, { at512: Uint8Array.of(0x09, 0x08, 0x10, 0x00, 0x00, 0x06, 0x05, 0x00) }));
  add('ole-xls-workbook', ole(null, { tail: lat('W\x00k\x00s\x00S\x00S\x00W\x00o\x00r\x00k\x00B\x00o\x00o\x00k\x00') }));
  add('ole-ppt', ole(Uint8Array.of(0x10, 0x8d, 0x81, 0x64, 0x9b, 0x4f, 0xcf, 0x11, 0x86, 0xea, 0x00, 0xaa, 0x00, 0xb9, 0x29, 0xe8)));
  add('ole-ppt-subheader', ole(null, { at512: Uint8Array.of(0xfd, 0xff, 0xff, 0xff, 0x0e, 0x00, 0x00, 0x00) }));
  add('ole-msi', ole(guid([0x84, 0x10, 0x0c])));
  add('ole-msg', ole(guid([0x0b, 0x0d, 0x02])));
  add('ole-pub', ole(guid([0x01, 0x12, 0x02], [0, 0, 0, 0, 0, 0, 0xc0, 0, 0, 0, 0, 0, 0, 0x46])));
  add('ole-v4-doc', ole(guid([0x06, 0x09, 0x02]), { v4: true }));
  add('ole-unknown', ole(guid([0x99, 0x99, 0x99])));
  add('ole-short', ole(null).subarray(0, 100));
  return s;
}

/** Seeded mutations of every seed: truncations, byte changes, prefixes and suffixes. */
function mutations(base: Sample[], perSeed: number, seed: number): Sample[] {
  const out: Sample[] = [];
  const rand = prng(seed);
  const pick = (n: number): number => Math.floor(rand() * n);
  const ws = [' ', '\t', '\n', '\r\n', '\f'];
  for (const [name, bytes] of base) {
    for (let k = 0; k < perSeed; k++) {
      const kind = pick(6);
      let m: Uint8Array;
      let tag: string;
      if (kind === 0 && bytes.length > 1) {
        const n = 1 + pick(bytes.length - 1);
        m = bytes.subarray(0, n);
        tag = `cut${n}`;
      } else if (kind === 1 && bytes.length > 0) {
        m = bytes.slice();
        const i = pick(Math.min(m.length, 64));
        m[i] = pick(256);
        tag = `set${i}`;
      } else if (kind === 2 && bytes.length > 0) {
        m = bytes.slice();
        const i = pick(m.length);
        m[i] = m[i]! ^ (1 << pick(8));
        tag = `flip${i}`;
      } else if (kind === 3) {
        const p = ws[pick(ws.length)]!.repeat(1 + pick(3));
        m = cat(p, bytes);
        tag = `ws${p.length}`;
      } else if (kind === 4) {
        m = cat(bytes, randomBytes(rand, 1 + pick(40)));
        tag = 'junk';
      } else {
        const i = pick(bytes.length + 1);
        m = cat(bytes.subarray(0, i), [pick(2) === 0 ? 0x0a : pick(128)], bytes.subarray(i));
        tag = `ins${i}`;
      }
      out.push([`${name}~${k}${tag}`, m]);
    }
  }
  return out;
}

function corpus(perSeed: number): Sample[] {
  const base = seeds();
  return [...base, ...mutations(base, perSeed, 0x5eed)];
}

const MUTATIONS_PER_SEED = 3;
const hash = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex').slice(0, 16);

interface VectorFile {
  library: string;
  generator: string;
  /** [sample name, first 16 hex digits of sha256(bytes), mimetype.Detect(bytes).String()] */
  vectors: [string, string, string][];
}

const VECTORS_URL = new URL('../fixtures/vectors/mimetype.json', import.meta.url);
const vectorFile: VectorFile = existsSync(VECTORS_URL)
  ? (JSON.parse(readFileSync(VECTORS_URL, 'utf8')) as VectorFile)
  : { library: '', generator: '', vectors: [] };

describe('detectContentType (mimetype v1.4.13)', () => {
  const samples = corpus(MUTATIONS_PER_SEED);

  if (process.env.MIMETYPE_DUMP_DIR) {
    it('dumps the corpus for regeneration', () => {
      const dir = process.env.MIMETYPE_DUMP_DIR!;
      mkdirSync(dir, { recursive: true });
      const perSeed = Number(process.env.MIMETYPE_DUMP_MUTATIONS ?? MUTATIONS_PER_SEED);
      const all = perSeed === MUTATIONS_PER_SEED ? samples : corpus(perSeed);
      const index = all.map(([name, bytes], i) => {
        const file = String(i).padStart(6, '0');
        writeFileSync(join(dir, file), bytes);
        return { file, name, hash: hash(bytes) };
      });
      writeFileSync(join(dir, 'index.json'), JSON.stringify(index));
    });
  }

  it('the corpus and the vector file describe the same samples', () => {
    expect(new Set(samples.map(([n]) => n)).size).toBe(samples.length);
    expect(vectorFile.vectors.map(([n]) => n)).toEqual(samples.map(([n]) => n));
    const hashes = new Map(vectorFile.vectors.map(([n, h]) => [n, h]));
    const drift = samples.filter(([n, b]) => hashes.get(n) !== hash(b)).map(([n]) => n);
    expect(drift).toEqual([]);
  });

  it('gives the same string as the Go library for every sample', () => {
    const expected = new Map(vectorFile.vectors.map(([n, , m]) => [n, m]));
    const wrong = samples
      .map(([n, b]) => ({ name: n, got: detectContentType(b), want: expected.get(n) }))
      .filter((r) => r.got !== r.want);
    expect(wrong).toEqual([]);
  });

  it('covers a wide range of results', () => {
    expect(new Set(vectorFile.vectors.map(([, , m]) => m)).size).toBeGreaterThan(150);
  });

  it('direct cases', () => {
    const d = (b: Uint8Array | string): string => detectContentType(typeof b === 'string' ? u8(b) : b);
    expect(d('')).toBe('text/plain');
    expect(d('hello\n')).toBe('text/plain; charset=utf-8');
    expect(d(lat('caf\xe9\n'))).toBe('text/plain; charset=iso-8859-1');
    expect(d(lat('caf\xe9\x85'))).toBe('text/plain; charset=windows-1252');
    expect(d(lat('x\x85y'))).toBe('text/plain; charset=utf-8');
    expect(d(lat('x\x80y'))).toBe('text/plain');
    expect(d(utf16('hi', false, true))).toBe('text/plain; charset=utf-16le');
    expect(d(Uint8Array.of(0, 1, 2, 3))).toBe('application/octet-stream');
    expect(d('#!/bin/sh\necho\n')).toBe('text/x-shellscript');
    expect(d('#!/usr/bin/env python3\n')).toBe('text/x-python');
    expect(d('<!DOCTYPE html><html></html>')).toBe('text/html; charset=utf-8');
    expect(d('<html><meta charset="ISO-8859-1"></html>')).toBe('text/html; charset=ISO-8859-1');
    expect(d('<?xml version="1.0" encoding="UTF-8"?><a/>')).toBe('text/xml; charset=UTF-8');
    expect(d('{"a": [1, 2]}')).toBe('application/json');
    expect(d('a,b\n1,2\n')).toBe('text/csv');
    expect(d(pngFile(false))).toBe('image/png');
    expect(d(elf(3))).toBe('application/x-sharedlib');
    expect(d(cat([0x1f, 0x8b, 8, 0]))).toBe('application/gzip');
    expect(d(zipOf(zipEntry('a.txt', 'x')))).toBe('application/zip');
    expect(d('%PDF-1.7\n')).toBe('application/pdf');
    // Nesting as deep as the read limit allows (the JSON scanner does not recurse on the JS stack).
    expect(d('['.repeat(100_000))).toBe('application/json');
    expect(d('{"a":'.repeat(1000))).toBe('application/json');
  });

  it('only inspects the first 3072 bytes', () => {
    const text = repeatTo(lorem, MIMETYPE_READ_LIMIT);
    expect(detectContentType(cat(text, zeros(10)))).toBe('text/plain; charset=utf-8');
    expect(detectContentType(cat(text.subarray(1), zeros(10)))).toBe('application/octet-stream');
    // A JSON array cut by the read limit is still JSON; the same bytes as a whole file are not.
    const arr = cat('[', repeatTo('1,', 4000), '1]');
    expect(detectContentType(arr)).toBe('application/json');
    expect(detectContentType(arr.subarray(0, MIMETYPE_READ_LIMIT))).toBe('application/json');
    expect(detectContentType(arr.subarray(0, MIMETYPE_READ_LIMIT - 1))).toBe('text/plain; charset=utf-8');
  });

  it('looks only at the first bytes of large inputs', () => {
    const big = repeatTo('{"k": "value", "n": [1, 2, 3]}\n', 8 << 20);
    expect(detectContentType(big)).toBe(detectContentType(big.subarray(0, MIMETYPE_READ_LIMIT)));
    const tail = cat(big.subarray(0, MIMETYPE_READ_LIMIT), new Uint8Array(1 << 20));
    expect(detectContentType(tail)).toBe(detectContentType(big));
  });
});
