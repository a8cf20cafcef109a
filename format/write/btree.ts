import { serializeBTreeNode, serializeBTreeRoot } from '../snapshot/serialize.js';
import type { BlobSink } from './blob-sink.js';

/** Kloset's B-trees are created with order 50: at most 49 keys per node. */
export const BTREE_ORDER = 50;
const FANOUT = BTREE_ORDER - 1;

/**
 * Persists a B+tree from its (key, value MAC) pairs given in DESCENDING key order, in batches. Building from
 * the right lets each leaf point (`next`) at the leaf after it, which is already written, so leaves
 * go out as they fill and only one level of (first key, node MAC) pairs per level is kept.
 * Returns the MAC of the root record, stored as `rootType`.
 */
export async function writeBTree(
  sink: BlobSink,
  rootType: number,
  nodeType: number,
  descending: AsyncIterable<[string, Uint8Array][]>,
): Promise<Uint8Array> {
  const putNode = async (keys: string[] | null, pointers: Uint8Array[] | null, values: Uint8Array[] | null, next: Uint8Array | null): Promise<Uint8Array> => {
    const bytes = serializeBTreeNode({ keys, pointers, values, next });
    const mac = sink.codec.computeMac(bytes);
    await sink.put(nodeType, mac, bytes);
    return mac;
  };

  // Level 0: leaves, right to left. `children` collects (first key, MAC) of each node, descending.
  let children: [string, Uint8Array][] = [];
  let keys: string[] = [];
  let values: Uint8Array[] = [];
  let next: Uint8Array | null = null;
  const flushLeaf = async (): Promise<void> => {
    keys.reverse();
    values.reverse();
    next = await putNode(keys, null, values, next);
    children.push([keys[0]!, next]);
    keys = [];
    values = [];
  };
  for await (const batch of descending) {
    for (const [k, v] of batch) {
      keys.push(k);
      values.push(v);
      if (keys.length === FANOUT) await flushLeaf();
    }
  }
  if (keys.length > 0) await flushLeaf();
  if (children.length === 0) children.push(['', await putNode(null, null, null, null)]);

  // Upper levels, still right to left; nodes share the children evenly. Subtree i+1 starts at keys[i].
  while (children.length > 1) {
    const level: [string, Uint8Array][] = [];
    const groups = Math.ceil(children.length / (FANOUT + 1));
    for (let g = 0, at = 0; g < groups; g++) {
      const size = Math.floor((children.length - at) / (groups - g));
      const group = children.slice(at, at + size).reverse();
      at += size;
      const mac = await putNode(group.slice(1).map(([k]) => k), group.map(([, m]) => m), null, null);
      level.push([group[0]![0], mac]);
    }
    children = level;
  }
  const root = serializeBTreeRoot({ order: BTREE_ORDER, root: children[0]![1] });
  const rootMac = sink.codec.computeMac(root);
  await sink.put(rootType, rootMac, root);
  return rootMac;
}
