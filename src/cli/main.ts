/**
 * supcon-lab: the trainer's command line, also the program the extension runs
 * as its child process (it then reports over the IPC channel as well).
 */
import * as path from 'node:path';
import { applyOverrides, ConfigError, describeFields, resolveConfig } from '../protocol/config';
import { isTrainerCommand, type TrainerEvent } from '../protocol/messages';
import { SLURM_OPTIONS } from '../protocol/cluster';
import { DEFAULT_RUNS_DIR, listCheckpoints } from '../protocol/runFolder';
import { PROJECTION_METHODS, type ProjectionMethod } from '../protocol/embeddingMap';
import { releaseBackend } from '../trainer/backend/init';
import { loadDataset } from '../trainer/data/loadDataset';
import { embeddingMap } from '../trainer/embedding';
import { writeMap } from '../trainer/io/mapFiles';
import { describeFailure } from '../trainer/failures';
import { writePreviewPng } from '../trainer/preview';
import { defaultCacheDir, probeRun, resumeRun, trainRun } from '../trainer/run';
import { parseArgs, UsageError } from './args';
import { readConfigFile } from './configFile';
import { JobContext, progressPrinter } from './progress';
import { resultsCommand, sweepCommand } from './sweep';
import { clusterCommand } from './cluster';
import { cliCommand, command as commandLine, quoted, withFieldsHint } from './invocation';

/** The usage text, with the commands as this program was invoked (`node dist/cli.js` in a checkout). */
const usage = (cli: string) => `Usage:
${[
  'train   [--config FILE] [--runs-dir DIR] [--<field> value ...]',
  'resume  --run DIR [--checkpoint last]',
  'probe   --run DIR [--checkpoint last]',
  'preview [--config FILE] [--<field> value ...] --out FILE.png [--count 8]',
  'embed   --run DIR [--checkpoint last] [--method pca|umap] --out map.png|map.csv|map.json',
  'sweep   --config FILE.sweep.json [--runs-dir DIR] [--parallel N]',
  'sweep   --preset views [--with-ce] [--seeds 0,1,2] [--runs-dir DIR] [--parallel N] [--<field> value ...]',
  'sweep   --status SWEEP_DIR',
  'results SWEEP_DIR [--csv FILE]',
  'jobs    [--runs-dir DIR] [--json]',
  'cancel  --run DIR',
]
  .map((l) => `  ${cli} ${l}`)
  .join('\n')}

train, resume and sweep take --executor slurm to submit to a Slurm cluster instead
of running here (options below); jobs lists cluster runs, cancel ends one's job.

Runs go to ${DEFAULT_RUNS_DIR} unless --runs-dir says otherwise. Ctrl-C stops after the
current step and saves a checkpoint; \`resume\` continues from it (a run killed before
its first checkpoint starts again from step 0 in its own folder).`;

function loadConfig(own: Record<string, string>, overrides: Record<string, string>) {
  let base: Record<string, unknown> = {};
  if (own.config) {
    const raw = readConfigFile(own.config);
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(own.config, 'expected a JSON object');
    base = raw as Record<string, unknown>;
  }
  let withOverrides: Record<string, unknown>;
  try {
    withOverrides = applyOverrides(base, overrides);
  } catch (e) {
    throw withFieldsHint(e, overrides);
  }
  try {
    return resolveConfig(withOverrides);
  } catch (e) {
    if (e instanceof ConfigError && own.config) throw new ConfigError(`${own.config}: ${e.field}`, e.message.slice(e.message.indexOf(': ') + 2));
    throw e;
  }
}

function help(): string {
  const fields = describeFields()
    .map((r) => `  --${r.field.padEnd(24)} ${r.help}`)
    .join('\n');
  return `${usage(cliCommand())}

Slurm options (with --executor slurm; the runs directory must be on a disk the nodes share):
${Object.values(SLURM_OPTIONS)
  .map((o) => `  --${o.flag.padEnd(24)} ${o.help}`)
  .join('\n')}

Run config fields (train, preview; also settable in a --config JSON file):
${fields}`;
}

/** Whether a stop was asked for, and the exit code a stop by signal ends with. */
interface StopRequests {
  shouldStop: () => boolean;
  /** 130 after Ctrl-C (SIGINT), 143 after SIGTERM, as shells expect of a program a signal stopped; undefined for no stop or the extension's own (IPC). */
  signalExit: () => number | undefined;
}

/**
 * Stop requests: the extension's IPC message, Ctrl-C, or SIGTERM. A second
 * Ctrl-C or SIGTERM quits at once (the extension's second Stop): the run then
 * reads as interrupted and resumes from its last checkpoint.
 */
function stopRequests(): StopRequests {
  let stop = false;
  let signalExit: number | undefined;
  const request = (exitCode: number) => () => {
    if (stop) {
      process.stderr.write('supcon-lab: stopped before the step ended; resume continues from the last checkpoint (from step 0 when none was saved yet)\n');
      process.exit(exitCode);
    }
    stop = true;
    signalExit = exitCode;
    process.stderr.write('\nstopping after this step (a checkpoint will be saved)...\n');
  };
  process.on('SIGINT', request(130));
  process.on('SIGTERM', request(143));
  process.on('message', (m: unknown) => {
    if (isTrainerCommand(m)) stop = true;
  });
  // Keep training if the parent window closes: the run folder still records it.
  process.on('disconnect', () => undefined);
  // A parent that died leaves stdout and stderr leading nowhere (EPIPE): losing
  // the progress text must not end the run before a stop can save its checkpoint.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  return { shouldStop: () => stop, signalExit: () => signalExit };
}

async function main(argv: string[]): Promise<number> {
  if (!argv.length || argv[0] === '--help' || argv[0] === 'help' || argv.includes('--help')) {
    process.stdout.write(help() + '\n');
    return 0;
  }
  const { command, own, overrides } = parseArgs(argv);
  if (command === 'preview') {
    if (!own.out) throw new UsageError('--out: expected the PNG file to write');
    const count = own.count ? Number(own.count) : 8;
    if (!Number.isInteger(count) || count < 1 || count > 64) throw new UsageError(`--count: expected an integer from 1 to 64, got ${JSON.stringify(own.count)}`);
    const config = loadConfig(own, overrides);
    const dataset = await loadDataset(config.dataset, { cacheDir: defaultCacheDir(), seed: config.seed, log: (m) => process.stderr.write(m + '\n') });
    await writePreviewPng(dataset, config.views, config.augment, count, config.seed, own.out);
    process.stdout.write(`${own.out}\n`);
    return 0;
  }
  if (command === 'embed') {
    if (!own.run) throw new UsageError('--run: expected a run folder');
    if (!own.out) throw new UsageError('--out: expected the .png, .csv or .json file to write');
    const method = (own.method || 'pca') as ProjectionMethod;
    if (!PROJECTION_METHODS.includes(method)) throw new UsageError(`--method: expected one of ${PROJECTION_METHODS.join(', ')}, got ${JSON.stringify(own.method)}`);
    if (!/\.(png|csv|json)$/i.test(own.out)) throw new UsageError(`--out: expected a .png, .csv or .json file, got ${JSON.stringify(own.out)}`);
    const map = await embeddingMap(path.resolve(own.run), own.checkpoint || 'last', method);
    await writeMap(map, own.out);
    await releaseBackend();
    process.stdout.write(`${own.out}\n`);
    return 0;
  }
  if (command === 'results') return resultsCommand(own);
  const onCluster = clusterCommand(command, own, () => loadConfig(own, overrides));
  if (onCluster !== undefined) return onCluster;
  const stop = stopRequests();
  if (command === 'sweep') return sweepCommand(own, overrides, stop.shouldStop, stop.signalExit);
  return runJob(command, own, overrides, stop);
}

/**
 * `train`, `resume` or `probe` in this process; a stopped run ends by saying
 * how to continue it. Exits 1 for a failed run, 130 or 143 for one a signal
 * stopped (its checkpoint saved), else 0.
 */
async function runJob(command: string, own: Record<string, string>, overrides: Record<string, string>, { shouldStop, signalExit }: StopRequests): Promise<number> {
  const runFolder = own.run ? path.resolve(own.run) : undefined;
  const print = progressPrinter(own.quiet !== undefined || !!process.send, process.stderr, {
    command: command as JobContext['command'],
    checkpoint: (name) => (runFolder ? listCheckpoints(runFolder).find((c) => c.name === name) : undefined),
  });
  let runId: string | undefined;
  const onEvent = (ev: TrainerEvent) => {
    if (ev.type === 'started') runId = ev.runId;
    print(ev);
  };
  let status;
  let runsDir: string;
  if (command === 'train') {
    const config = loadConfig(own, overrides);
    runsDir = own['runs-dir'] || DEFAULT_RUNS_DIR;
    status = await trainRun(runsDir, config, { shouldStop, onEvent });
  } else {
    if (!own.run) throw new UsageError('--run: expected a run folder');
    const runDir = path.resolve(own.run);
    runsDir = path.dirname(runDir);
    const run = command === 'resume' ? resumeRun : probeRun;
    status = await run(runDir, own.checkpoint || 'last', { shouldStop, onEvent });
  }
  if (status.state === 'stopped' && runId && !process.send) process.stderr.write(`to continue: ${commandLine(`resume --run ${quoted(path.join(runsDir, runId))}`)}\n`);
  if (status.state === 'failed') return 1;
  return status.state === 'stopped' ? (signalExit() ?? 0) : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    if (process.connected) process.disconnect();
  },
  (e: Error) => {
    const usage = e instanceof UsageError || e instanceof ConfigError;
    const { error, hint } = usage ? { error: e.message, hint: undefined } : describeFailure(e);
    // one line: the extension shows the last line of stderr
    process.stderr.write(`supcon-lab: ${error}${hint ? ` (${hint})` : ''}\n`);
    process.exitCode = usage ? 2 : 1;
    if (process.connected) process.disconnect();
  },
);
