import type { Output } from '../write/output.js';

/**
 * A Kloset store: where the configuration, packfiles, states and locks live. The repository layer
 * only talks to these interfaces, so a ptar file, a directory and an S3 bucket are interchangeable.
 * Resources are named by 32-byte identifiers; packfile reads are ranges of the wrapped packfile.
 */
export interface Store {
  readonly location: string;
  /** The wrapped configuration resource. */
  getConfig(): Promise<Uint8Array>;
  listStates(): Promise<Uint8Array[]>;
  /** A whole wrapped state resource. */
  getState(id: Uint8Array): Promise<Uint8Array>;
  listPackfiles(): Promise<Uint8Array[]>;
  /** Byte length of a wrapped packfile. */
  packfileSize(id: Uint8Array): Promise<number>;
  /** `length` bytes at `offset` of a wrapped packfile (offset 0 is its 16-byte header). */
  readPackfile(id: Uint8Array, offset: number, length: number): Promise<Uint8Array>;
  /** Bytes the store occupies, or -1 when the backend cannot tell cheaply. */
  size(): Promise<number>;
  close(): Promise<void>;
}

/**
 * A store that takes new resources. Every put is atomic: a reader sees the whole resource or
 * nothing, so a state (written after its packfiles) is what makes a snapshot visible.
 */
export interface WritableStore extends Store {
  readonly writable: true;
  /** Makes a new, empty store holding `config`; fails if a store already exists there. */
  create(config: Uint8Array): Promise<void>;
  putPackfile(id: Uint8Array, data: Uint8Array): Promise<void>;
  /** Packfile `id` written front to back; it appears whole when the output is committed. */
  packfileOutput(id: Uint8Array): Promise<Output>;
  deletePackfile(id: Uint8Array): Promise<void>;
  putState(id: Uint8Array, data: Uint8Array): Promise<void>;
  /** State `id` written front to back, for states too big to hold whole; it appears when committed. */
  stateOutput(id: Uint8Array): Promise<Output>;
  deleteState(id: Uint8Array): Promise<void>;
  listLocks(): Promise<Uint8Array[]>;
  getLock(id: Uint8Array): Promise<Uint8Array>;
  putLock(id: Uint8Array, data: Uint8Array): Promise<void>;
  deleteLock(id: Uint8Array): Promise<void>;
}

export function isWritable(s: Store): s is WritableStore {
  return (s as Partial<WritableStore>).writable === true;
}

/** Object names of a directory or S3 store: `packfiles/XX/<hex>`, XX the id's first byte. */
export function bucketPath(kind: 'packfiles' | 'states', id: Uint8Array): string {
  const hex = Buffer.from(id.buffer, id.byteOffset, id.byteLength).toString('hex');
  return `${kind}/${hex.slice(0, 2)}/${hex}`;
}

/** The id in a 64-hex-digit resource name, or null for names that are not one (skipped when listing). */
export function parseResourceName(name: string): Uint8Array | null {
  return /^[0-9a-f]{64}$/.test(name) ? new Uint8Array(Buffer.from(name, 'hex')) : null;
}
