/** The JSON view of one msgpack value (see spec/schema/README.md). */
export function jsonView(bytes: Uint8Array): unknown;
