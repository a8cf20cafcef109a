export interface HexPattern {
  bytes: Uint8Array;
  /** 1 where the byte must match, 0 for `??`. */
  mask: Uint8Array;
}
export function parseHex(text: string): HexPattern;
export function matches(pattern: HexPattern, data: Uint8Array, at?: number): boolean;
