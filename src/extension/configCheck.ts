/**
 * Checks the text of a *.supcon.json run config with the same resolveConfig
 * the trainer uses, and says where the problem is. Pure, for the diagnostics
 * and for the "start from config file" command alike.
 */
import { ConfigError, resolveConfig, RunConfig } from '../protocol/config';
import { locateField, TextRange } from './jsonLocate';

export type ConfigCheck = { ok: true; config: RunConfig } | { ok: false; message: string; field?: string; range: TextRange };

export function checkConfigText(text: string): ConfigCheck {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const m = /position (\d+)/.exec((e as Error).message);
    const at = m ? Number(m[1]) : 0;
    return { ok: false, message: `Not valid JSON: ${(e as Error).message}`, range: { start: at, end: Math.min(text.length, at + 1) } };
  }
  try {
    return { ok: true, config: resolveConfig(value) };
  } catch (e) {
    if (!(e instanceof ConfigError)) return { ok: false, message: String((e as Error).message ?? e), range: { start: 0, end: 0 } };
    return { ok: false, message: e.message, field: e.field, range: locateField(text, e.field) ?? { start: 0, end: Math.min(1, text.length) } };
  }
}
