/**
 * Command-line parsing with node:util parseArgs: a command, its own flags, and
 * run-config overrides (--<field> value, every field of the config schema).
 */
import { parseArgs as parseTokens } from 'node:util';
import { SLURM_FLAGS } from '../protocol/cluster';
import { fieldSchema, leafFields } from '../protocol/config';

/** `--executor slurm` and the submission options (protocol/cluster.ts). */
const SUBMIT_FLAGS = ['executor', ...SLURM_FLAGS];

export const OWN_FLAGS: Record<string, string[]> = {
  train: ['config', 'runs-dir', 'quiet', ...SUBMIT_FLAGS],
  resume: ['run', 'checkpoint', 'quiet', ...SUBMIT_FLAGS],
  probe: ['run', 'checkpoint', 'quiet'],
  preview: ['config', 'out', 'count'],
  embed: ['run', 'checkpoint', 'method', 'out'],
  sweep: ['config', 'preset', 'status', 'runs-dir', 'parallel', 'seeds', 'with-ce', ...SUBMIT_FLAGS],
  results: ['csv'],
  jobs: ['runs-dir', 'json'],
  cancel: ['run'],
};
/** Own flags that take no value. */
const SWITCHES = ['quiet', 'with-ce', 'json'];
/** Commands that take run-config overrides. */
const OVERRIDES = ['train', 'preview', 'sweep'];

export class UsageError extends Error {}

type Option = { type: 'string' | 'boolean' };

/**
 * Splits `argv` (without node and the script) into the command, its own flags
 * and config overrides, all as strings ('' for a flag given without a value).
 * A config field that is a boolean may stand alone (`--augment.flip`) or take
 * a value; values may start with `-` (`--lr -1`) but not with `--`. Throws a
 * UsageError naming the argument for an unknown command, a stray argument, a
 * flag another command owns, or a flag whose value is missing.
 */
export function parseArgs(argv: string[]): { command: string; own: Record<string, string>; overrides: Record<string, string> } {
  const [command, ...args] = argv;
  if (!command || !Object.hasOwn(OWN_FLAGS, command))
    throw new UsageError(`unknown command ${JSON.stringify(command ?? '')}: expected one of ${Object.keys(OWN_FLAGS).join(', ')}`);
  const ownFlags = command === 'results' ? [...OWN_FLAGS.results, 'dir'] : OWN_FLAGS[command];
  const options: Record<string, Option> = Object.fromEntries(ownFlags.map((f) => [f, { type: SWITCHES.includes(f) ? 'boolean' : 'string' }]));
  const takesOverrides = OVERRIDES.includes(command);
  if (takesOverrides) for (const f of leafFields()) options[f] ??= { type: fieldSchema(f)!.type === 'boolean' ? 'boolean' : 'string' };

  const { tokens } = parseTokens({ args, options, strict: false, allowPositionals: true, tokens: true });
  const own: Record<string, string> = {};
  const overrides: Record<string, string> = {};
  // `results DIR`: the one positional argument
  const [first] = tokens;
  if (command === 'results' && first?.kind === 'positional') {
    own.dir = first.value;
    tokens.shift();
  }
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === 'option-terminator') throw new UsageError('unexpected argument "--": flags look like --name value');
    if (t.kind === 'positional' || !t.rawName.startsWith('--')) {
      throw new UsageError(`unexpected argument ${JSON.stringify(t.kind === 'positional' ? t.value : t.rawName)}: flags look like --name value`);
    }
    const next = tokens[i + 1];
    let value = t.value;
    // the value of a flag parseArgs does not let take one: a boolean config field's, or an unknown field's
    if (value === undefined && !SWITCHES.includes(t.name) && next?.kind === 'positional' && next.index === t.index + 1) {
      value = next.value;
      i++;
    }
    if (value?.startsWith('--') && !t.inlineValue) throw new UsageError(`--${t.name}: expected a value, got the flag ${value}`);
    if (ownFlags.includes(t.name)) own[t.name] = value ?? '';
    else if (takesOverrides) overrides[t.name] = value ?? '';
    else throw new UsageError(`--${t.name}: not a flag of "${command}" (flags: ${OWN_FLAGS[command].map((f) => '--' + f).join(', ')})`);
  }
  return { command, own, overrides };
}
