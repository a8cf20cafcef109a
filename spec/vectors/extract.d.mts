export const DEFAULT_FIXTURES: string;
export interface VectorDef {
  name: string;
  fixture: string;
  template?: string[];
  title: string;
}
export const VECTORS: readonly VectorDef[];
/** Every generated file of spec/vectors/: name → content. */
export function generateAll(dir?: string): Map<string, string>;
/** The bytes a vector is cut from, in one archive. */
export function pickFrom(dir: string, vectorName: string, fixtureName: string): Uint8Array;
