/** Kloset resource types: wrapper types (1-4) and blob types (5-21, 255). */
export const RT = {
  CONFIG: 1,
  LOCK: 2,
  STATE: 3,
  PACKFILE: 4,
  SNAPSHOT: 5,
  SIGNATURE: 6,
  OBJECT: 7,
  CHUNK: 9,
  VFS_BTREE: 10,
  VFS_NODE: 11,
  VFS_ENTRY: 12,
  ERROR_BTREE: 13,
  ERROR_NODE: 14,
  ERROR_ENTRY: 15,
  XATTR_BTREE: 16,
  XATTR_NODE: 17,
  XATTR_ENTRY: 18,
  BTREE_ROOT: 19,
  BTREE_NODE: 20,
  VFS_SUMMARY: 21,
  RANDOM: 255,
} as const;

export type ResourceType = (typeof RT)[keyof typeof RT];

const NAMES: Record<number, string> = {
  1: 'config', 2: 'lock', 3: 'state', 4: 'packfile', 5: 'snapshot', 6: 'signature', 7: 'object', 9: 'chunk',
  10: 'vfs-btree', 11: 'vfs-node', 12: 'vfs-entry', 13: 'error-btree', 14: 'error-node', 15: 'error-entry',
  16: 'xattr-btree', 17: 'xattr-node', 18: 'xattr-entry', 19: 'btree-root', 20: 'btree-node', 21: 'vfs-summary',
  255: 'random',
};

export function resourceName(t: number): string {
  return NAMES[t] ?? `unknown(${t})`;
}

/**
 * Blob types whose identifier is the MAC of their decoded bytes. Snapshot and signature blobs are
 * keyed by the snapshot id, padding blobs by random bytes.
 */
export function isContentAddressed(t: number): boolean {
  return t !== RT.SNAPSHOT && t !== RT.SIGNATURE && t !== RT.RANDOM;
}
