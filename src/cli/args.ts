/** Command-line parsing: a command, its own flags, and run-config overrides (--<field> value). */
import { SLURM_FLAGS } from '../protocol/cluster';

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

export class UsageError extends Error {}

export function parseArgs(argv: string[]): { command: string; own: Record<string, string>; overrides: Record<string, string> } {
  const [command, ...args] = argv;
  // `results DIR`: the one positional argument
  const rest = command === 'results' && args[0] !== undefined && !args[0].startsWith('--') ? ['--dir', ...args] : args;
  if (!command || !(command in OWN_FLAGS)) throw new UsageError(`unknown command ${JSON.stringify(command ?? '')}: expected one of ${Object.keys(OWN_FLAGS).join(', ')}`);
  const own: Record<string, string> = {};
  const overrides: Record<string, string> = {};
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument ${JSON.stringify(arg)}: flags look like --name value`);
    let [key, value] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (value === undefined) {
      const next = rest[i + 1];
      value = next !== undefined && !next.startsWith('--') ? rest[++i] : '';
    }
    if (OWN_FLAGS[command].includes(key) || (command === 'results' && key === 'dir')) own[key] = value;
    else if (command === 'train' || command === 'preview' || command === 'sweep') overrides[key] = value;
    else throw new UsageError(`--${key}: not a flag of "${command}" (flags: ${OWN_FLAGS[command].map((f) => '--' + f).join(', ')})`);
  }
  return { command, own, overrides };
}
