/**
 * The command a person typed to run this program, for the commands that
 * hints and the usage text tell them to run: `supcon-lab` when it came
 * through the installed bin (on the PATH, or npm's shim into node_modules),
 * otherwise `node <the script>` as run from a source checkout
 * (`node dist/cli.js`), relative to the working folder when it lies inside it.
 */
import * as path from 'node:path';
import { ConfigError } from '../protocol/config';

export const BIN = 'supcon-lab';

/** `script`: process.argv[1] (node resolves it to an absolute path); `cwd`: the folder the command was typed in. */
export function cliCommand(script: string | undefined = process.argv[1], cwd: string = process.cwd()): string {
  if (!script) return BIN;
  const base = path.basename(script).replace(/\.(c|m)?js$/, '');
  if (base === BIN || script.split(/[\\/]/).includes('node_modules')) return BIN;
  const relative = path.relative(cwd, script);
  const shown = relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : script;
  return `node ${quoted(shown)}`;
}

/** A path as one shell word: as it is when plain, else quoted (single quotes on POSIX shells, double on Windows). */
export function quoted(p: string): string {
  if (!/[\s"'$`\\;&|<>()*?!#~]/.test(p) || (path.sep === '\\' && !/\s/.test(p))) return p;
  return path.sep === '\\' ? `"${p}"` : `'${p.replace(/'/g, `'\\''`)}'`;
}

/** A command to run, as this program was invoked: command('resume --run DIR') is "node dist/cli.js resume --run DIR" in a checkout. */
export const command = (args: string): string => `${cliCommand()} ${args}`;

/**
 * A config error from `--<field> value` flags, with where the fields are
 * listed when the field is unknown: `train --help` as this program was invoked.
 * Any other error comes back as it was.
 */
export function withFieldsHint(e: unknown, overrides: Record<string, string>): unknown {
  if (e instanceof ConfigError && Object.hasOwn(overrides, e.field) && e.message === `${e.field}: unknown field`)
    return new ConfigError(e.field, `unknown field (see \`${command('train --help')}\`)`);
  return e;
}
