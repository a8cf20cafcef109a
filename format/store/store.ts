/**
 * A Kloset store: where the configuration, packfiles, states and locks live. The repository layer
 * only talks to this interface, so a ptar file, a directory and an S3 bucket are interchangeable.
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
  /** Bytes the store occupies. */
  size(): Promise<number>;
  close(): Promise<void>;
}
