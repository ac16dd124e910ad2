/**
 * Where JSON text a person wrote is broken, as editors count: the first
 * syntax error with its line and column (from 1). Strict JSON, as the trainer
 * reads it: no comments, no trailing commas. Positions come from
 * jsonc-parser, the parser VS Code's own JSON support uses.
 */
import { parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';

/** "ValueExpected" as "value expected". */
export const describeParseError = (e: ParseError): string => printParseErrorCode(e.error).replace(/[A-Z]/g, (c, i: number) => (i ? ' ' : '') + c.toLowerCase());

/** Line and column (from 1) of an offset into `text`. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

/** The parse tree of strict JSON text, with its syntax errors (empty when it is valid). */
export function parseStrict(text: string): { tree: Node | undefined; errors: ParseError[] } {
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  return { tree, errors };
}

/** The first syntax error of strict JSON text: what, and where ("value expected", line 1, column 15); undefined when it parses. */
export function jsonSyntaxError(text: string): { message: string; offset: number; length: number; line: number; column: number } | undefined {
  const [bad] = parseStrict(text).errors;
  if (bad) return { message: describeParseError(bad), offset: bad.offset, length: bad.length, ...lineColumn(text, bad.offset) };
  try {
    JSON.parse(text);
    return undefined;
  } catch (e) {
    // what jsonc-parser lets pass and JSON.parse does not
    return { message: (e as Error).message, offset: 0, length: Math.min(1, text.length), line: 1, column: 1 };
  }
}
