/** Bad content: the file is reported in `rejected/` and the batch goes on. Anything else is an infrastructure fault. */
export class ParseError extends Error {
  override readonly name = 'ParseError';
}

export function isParseError(e: unknown): e is ParseError {
  return e instanceof ParseError;
}
