/**
 * Checks the text of a *.supcon.json run config with the same schema the
 * trainer uses and says where each problem is: every problem at once, one
 * per field. Pure, for the diagnostics and for the "start from config file"
 * command alike. Positions come from jsonc-parser, the parser VS Code's own
 * JSON support uses: a tolerant parse tree with offsets, even of broken text.
 */
import { findNodeAtLocation, type Node } from 'jsonc-parser';
import { configProblems, resolveConfig, RunConfig } from '../../protocol/config';
import { describeParseError, lineColumn, parseStrict } from '../../protocol/jsonText';

/** Offsets into the text, end exclusive. */
export interface TextRange {
  start: number;
  end: number;
}

export interface ConfigProblem {
  message: string;
  field?: string;
  range: TextRange;
}

/** `message` is the first problem's, for a one-line report. */
export type ConfigCheck = { ok: true; config: RunConfig } | { ok: false; message: string; field?: string; range: TextRange; problems: ConfigProblem[] };

/**
 * The key of the deepest existing part of a dotted `field` ("dataset.kind")
 * in a parse tree, or undefined when not even the first part is there (a
 * missing top-level field).
 */
export function locateField(root: Node | undefined, field: string): TextRange | undefined {
  const parts = field.split('.').filter(Boolean);
  for (let n = parts.length; root && n > 0; n--) {
    const property = findNodeAtLocation(root, parts.slice(0, n))?.parent;
    const key = property?.type === 'property' ? property.children?.[0] : undefined;
    if (key) return { start: key.offset, end: key.offset + key.length };
  }
  return undefined;
}

export function checkConfigText(text: string): ConfigCheck {
  const {
    tree,
    errors: [bad],
  } = parseStrict(text);
  if (bad) {
    const range = { start: bad.offset, end: Math.min(text.length, bad.offset + Math.max(1, bad.length)) };
    const { line, column } = lineColumn(text, bad.offset);
    return failed([{ message: `Not valid JSON: ${describeParseError(bad)} (line ${line}, column ${column})`, range }]);
  }
  // the value as the trainer reads it (JSON.parse keeps a "__proto__" key as a plain field)
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return failed([{ message: `Not valid JSON: ${(e as Error).message}`, range: { start: 0, end: Math.min(1, text.length) } }]);
  }
  const problems = configProblems(value).map((e) => ({
    message: e.message,
    field: e.field,
    range: locateField(tree, e.field) ?? { start: 0, end: Math.min(1, text.length) },
  }));
  problems.sort((a, b) => a.range.start - b.range.start); // in the order they appear in the file
  return problems.length ? failed(problems) : { ok: true, config: resolveConfig(value) };
}

function failed(problems: ConfigProblem[]): ConfigCheck {
  return { ok: false, ...problems[0], problems };
}
