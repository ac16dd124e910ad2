/**
 * Reads a config file named on the command line (--config): a run config or
 * a sweep file. A file that cannot be read or is not valid JSON is a bad
 * argument, a ConfigError (exit code 2) naming the file, and for a syntax
 * error the line and column as editors count them: "f.json:3:14: not valid
 * JSON: value expected".
 */
import * as fs from 'node:fs';
import { ConfigError } from '../protocol/config';
import { jsonSyntaxError } from '../protocol/jsonText';

export function readConfigFile(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(file, `cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const bad = jsonSyntaxError(text);
  if (bad) throw new ConfigError(`${file}:${bad.line}:${bad.column}`, `not valid JSON: ${bad.message}`);
  return JSON.parse(text);
}
