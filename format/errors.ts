/**
 * Error classes carrying plakar's sysexits-style exit codes, so every layer can fail with a
 * precise meaning and the command layer maps it to an exit status without string matching.
 */
export const ExitCode = {
  OK: 0,
  FAILURE: 1,
  USAGE: 64,
  INTEGRITY: 65,
  NOT_FOUND: 66,
  AUTH: 77,
  VERSION: 78,
} as const;

export class PtarError extends Error {
  readonly exitCode: number = ExitCode.FAILURE;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Corrupted, truncated or inconsistent data: a MAC, a length, an offset or a structure is wrong. */
export class IntegrityError extends PtarError {
  override readonly exitCode = ExitCode.INTEGRITY;
}

/** A snapshot, a path, a blob or a file that does not exist. */
export class NotFoundError extends PtarError {
  override readonly exitCode = ExitCode.NOT_FOUND;
}

/** The passphrase does not unlock the repository. */
export class AuthError extends PtarError {
  override readonly exitCode = ExitCode.AUTH;
}

/** A format version or an algorithm this implementation does not support. */
export class UnsupportedError extends PtarError {
  override readonly exitCode = ExitCode.VERSION;
}

/** Bad command-line usage. */
export class UsageError extends PtarError {
  override readonly exitCode = ExitCode.USAGE;
}

/** Throws an IntegrityError unless `cond` holds; used by every parser before trusting a length. */
export function ensure(cond: unknown, message: string): asserts cond {
  if (!cond) throw new IntegrityError(message);
}
