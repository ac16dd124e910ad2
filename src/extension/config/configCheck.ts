/**
 * Checks the text of a *.supcon.json run config with the same schema the
 * trainer uses and says where each problem is: every problem at once, one
 * per field. Pure, for the diagnostics and for the "start from config file"
 * command alike.
 */
import { configProblems, resolveConfig, RunConfig } from '../../protocol/config';
import { locateField, TextRange } from './jsonLocate';

export interface ConfigProblem {
  message: string;
  field?: string;
  range: TextRange;
}

/** `message` is the first problem's, for a one-line report. */
export type ConfigCheck = { ok: true; config: RunConfig } | { ok: false; message: string; field?: string; range: TextRange; problems: ConfigProblem[] };

export function checkConfigText(text: string): ConfigCheck {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const m = /position (\d+)/.exec((e as Error).message);
    const at = m ? Number(m[1]) : 0;
    return failed([{ message: `Not valid JSON: ${(e as Error).message}`, range: { start: at, end: Math.min(text.length, at + 1) } }]);
  }
  const problems = configProblems(value).map((e) => ({
    message: e.message,
    field: e.field,
    range: locateField(text, e.field) ?? { start: 0, end: Math.min(1, text.length) },
  }));
  problems.sort((a, b) => a.range.start - b.range.start); // in the order they appear in the file
  return problems.length ? failed(problems) : { ok: true, config: resolveConfig(value) };
}

function failed(problems: ConfigProblem[]): ConfigCheck {
  return { ok: false, ...problems[0], problems };
}
