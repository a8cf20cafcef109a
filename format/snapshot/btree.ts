import { asArray, asInt, asMac, asMap, asString } from '../codec/fields.js';
import { unpack } from '../codec/msgpack.js';
import { IntegrityError } from '../errors.js';
import { toHex } from '../binary.js';

export type Compare = (a: string, b: string) => number;

/** Byte order of the UTF-8 encodings, which is code point order (JS `<` compares UTF-16 units). */
export function compareBytes(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (0xD800-0xDFFF) encode code points above 0xFFFF: they sort after every BMP unit.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

export function slashes(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 47) n++;
  return n;
}

/** Kloset's VFS order: fewer slashes first (shallower paths), then bytewise. */
export function pathCmp(a: string, b: string): number {
  const d = slashes(a) - slashes(b);
  return d !== 0 ? d : compareBytes(a, b);
}

export interface BTreeNode {
  keys: string[];
  pointers: Uint8Array[];
  values: Uint8Array[];
  next: Uint8Array | null;
}

export function parseRoot(bytes: Uint8Array, what: string): { order: number; root: Uint8Array } {
  const m = asMap(unpack(bytes, what), what);
  const order = asInt(m.Order, `${what}.Order`);
  if (order < 3) throw new IntegrityError(`${what}: invalid order ${order}`);
  return { order, root: asMac(m.Root, `${what}.Root`) };
}

export function parseNode(bytes: Uint8Array, what: string): BTreeNode {
  const m = asMap(unpack(bytes, what), what);
  const node: BTreeNode = {
    keys: asArray(m.keys, `${what}.keys`).map((k, i) => asString(k, `${what}.keys[${i}]`)),
    pointers: asArray(m.pointers, `${what}.pointers`).map((p, i) => asMac(p, `${what}.pointers[${i}]`)),
    values: asArray(m.values, `${what}.values`).map((v, i) => asMac(v, `${what}.values[${i}]`)),
    next: m.next === undefined || m.next === null ? null : asMac(m.next, `${what}.next`),
  };
  if (node.pointers.length === 0) {
    if (node.values.length !== node.keys.length) throw new IntegrityError(`${what}: leaf has ${node.keys.length} keys and ${node.values.length} values`);
  } else if (node.pointers.length !== node.keys.length + 1) {
    throw new IntegrityError(`${what}: internal node has ${node.keys.length} keys and ${node.pointers.length} pointers`);
  }
  return node;
}

/** Fetches and decodes a node blob by MAC. */
export type NodeLoader = (mac: Uint8Array) => Promise<BTreeNode>;

/** Longest chain of nodes we follow; guards against cycles in a corrupted tree. */
const MAX_DEPTH = 64;
const MAX_LEAVES = 1 << 30;

/**
 * A persisted Kloset B+tree: leaves hold keys and value MACs and are chained by `next`; in internal
 * nodes, subtree i holds keys below keys[i] and subtree i+1 the keys from keys[i] on.
 */
export class BTree {
  /** `rootNode` gives the MAC of the root node (read lazily from the tree's root record). */
  constructor(private readonly rootNode: () => Promise<Uint8Array>, private readonly load: NodeLoader, private readonly cmp: Compare) {}

  private async leafFor(key: string | null): Promise<BTreeNode> {
    let node = await this.load(await this.rootNode());
    for (let depth = 0; node.pointers.length > 0; depth++) {
      if (depth > MAX_DEPTH) throw new IntegrityError('btree: too deep (cycle?)');
      let idx = 0;
      if (key !== null) {
        let lo = 0;
        let hi = node.keys.length;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (this.cmp(node.keys[mid]!, key) <= 0) lo = mid + 1;
          else hi = mid;
        }
        idx = lo;
      }
      node = await this.load(node.pointers[idx]!);
    }
    return node;
  }

  async get(key: string): Promise<Uint8Array | null> {
    const leaf = await this.leafFor(key);
    for (let i = 0; i < leaf.keys.length; i++) if (this.cmp(leaf.keys[i]!, key) === 0) return leaf.values[i]!;
    return null;
  }

  /** Keys and values from the first key >= `from` (or the very first) to the end, in tree order. */
  async *scan(from: string | null = null): AsyncGenerator<[string, Uint8Array]> {
    let leaf: BTreeNode | null = await this.leafFor(from);
    const seen = new Set<string>();
    let first = true;
    while (leaf) {
      for (let i = 0; i < leaf.keys.length; i++) {
        if (first && from !== null && this.cmp(leaf.keys[i]!, from) < 0) continue;
        yield [leaf.keys[i]!, leaf.values[i]!];
      }
      first = false;
      if (!leaf.next) return;
      const k = toHex(leaf.next);
      if (seen.has(k) || seen.size > MAX_LEAVES) throw new IntegrityError('btree: leaf chain loops');
      seen.add(k);
      leaf = await this.load(leaf.next);
    }
  }
}
