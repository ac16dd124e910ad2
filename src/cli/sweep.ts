/**
 * `supcon-lab sweep` and `supcon-lab results`: start or continue a sweep
 * (from a file or a preset), show a sweep's state, print its results.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_RUNS_DIR } from '../protocol/runFolder';
import { resolveConfig } from '../protocol/config';
import { sweepFiles, sweepRunsDir } from '../protocol/sweep';
import { machineCapacity } from '../sweep/capacity';
import { localExecutor } from '../sweep/executor';
import { loadSweep } from '../sweep/expand';
import { viewsPreset } from '../sweep/presets';
import { resultsCsv, resultsTable, sweepResults } from '../sweep/results';
import { loadSweepDir, openSweep, pointStatuses, runSweep } from '../sweep/runner';
import { UsageError } from './args';
import { slurmFromFlags, submitSweepCommand } from './cluster';
import { readConfigFile } from './configFile';
import { withFieldsHint } from './invocation';

const PRESETS = ['views'];

function positiveInt(flag: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new UsageError(`--${flag}: expected an integer from 1 to 256, got ${JSON.stringify(raw)}`);
  return n;
}

function seedList(raw: string): number[] {
  const seeds = raw.split(',').map((s) => Number(s.trim()));
  if (!raw.trim() || seeds.some((s) => !Number.isInteger(s) || s < 0)) throw new UsageError(`--seeds: expected seeds like 0,1,2, got ${JSON.stringify(raw)}`);
  return seeds;
}

function openSweepDir(dir: string): string {
  if (!dir) throw new UsageError('expected a sweep folder (<runs-dir>/sweeps/<sweep-id>)');
  if (!fs.existsSync(sweepFiles(dir).spec)) throw new UsageError(`${dir}: not a sweep folder (no sweep.json)`);
  return path.resolve(dir);
}

function printStatus(sweepDir: string): void {
  const sweep = loadSweepDir(sweepDir);
  const byId = new Map(sweep.points.map((p) => [p.id, p]));
  process.stdout.write(`sweep ${sweep.id} (${sweepDir})\n`);
  for (const s of pointStatuses(sweepRunsDir(sweepDir), sweep)) {
    const p = byId.get(s.id)!;
    const what = p.config < 0 ? 'floor (epochs 0)' : [...Object.entries(p.values).map(([k, v]) => `${k}=${v}`), `epochs=${p.run.epochs}`, p.rules.join('+')].join(' ');
    const top1 = s.run?.status?.top1 !== undefined ? ` top-1 ${(100 * s.run.status.top1).toFixed(2)}%` : '';
    const where = s.position !== undefined ? ` #${s.position} in queue` : '';
    process.stdout.write(`  ${s.id.padEnd(12)} ${s.state.padEnd(11)} ${what} seed=${p.seed}${top1}${where}${s.run ? `  ${s.run.id}` : ''}\n`);
  }
}

/** `sweep --config FILE | --preset NAME | --status DIR`; returns the exit code. */
export async function sweepCommand(
  own: Record<string, string>,
  overrides: Record<string, string>,
  shouldStop: () => boolean,
  signalExit: () => number | undefined = () => undefined,
): Promise<number> {
  if (own.status !== undefined) {
    printStatus(openSweepDir(own.status));
    return 0;
  }
  if ((own.config === undefined) === (own.preset === undefined)) throw new UsageError('expected one of --config FILE.sweep.json, --preset views, --status DIR');
  if (own.config === undefined && own.preset !== undefined && !PRESETS.includes(own.preset))
    throw new UsageError(`--preset: expected one of ${PRESETS.join(', ')}, got ${JSON.stringify(own.preset)}`);
  const fields = Object.keys(overrides);
  if (own.config !== undefined && fields.length) throw new UsageError(`--${fields[0]}: config flags go with --preset; in a sweep file, set them in "base"`);
  const preset = () => {
    try {
      return viewsPreset(overrides, own['with-ce'] !== undefined, own.seeds ? seedList(own.seeds) : undefined);
    } catch (e) {
      throw withFieldsHint(e, overrides);
    }
  };
  const sweep = own.config !== undefined ? loadSweep(own.config, readConfigFile(own.config)) : loadSweep('preset views', preset());
  const slurm = slurmFromFlags(own);
  const runsDir = path.resolve(own['runs-dir'] || DEFAULT_RUNS_DIR);
  const sweepDir = openSweep(runsDir, sweep);
  if (slurm) {
    if (own.parallel) throw new UsageError('--parallel: with --executor slurm, cap the runs at once with --array-cap');
    return submitSweepCommand(runsDir, sweepDir, slurm);
  }
  const capacity = own.parallel ? positiveInt('parallel', own.parallel) : machineCapacity(resolveConfig(sweep.spec.base));
  process.stderr.write(`sweep folder ${sweepDir}\n${capacity} run(s) at a time; Ctrl-C stops the sweep (running trainers save a checkpoint), the same command continues it\n`);
  const cli = path.resolve(process.argv[1]);
  const state = await runSweep(sweepDir, { runsDir, capacity, executor: localExecutor(cli), shouldStop, log: (l) => process.stderr.write(l + '\n') });
  process.stdout.write(resultsTable(sweepResults(runsDir, loadSweepDir(sweepDir)), Object.keys(sweep.spec.axes)));
  process.stdout.write(`${sweepDir}\n`);
  // a sweep that ran to its end with a point not completed (failed, or a trainer that could not continue) did not do its job
  const unfinished = state.points.filter((p) => p.state !== 'completed');
  if (!unfinished.length) return 0;
  // stopped by Ctrl-C or SIGTERM: 130 or 143, as shells expect
  if (shouldStop()) return signalExit() ?? 0;
  process.stderr.write(
    `sweep ${sweep.id}: ${unfinished.length} run(s) did not complete: ${unfinished.map((p) => `${p.id} (${p.state})`).join(', ')}; their logs are in ${sweepFiles(sweepDir).logs}\n`,
  );
  return 1;
}

/** `results DIR [--csv FILE]`: the results table (and CSV) of a sweep folder. */
export function resultsCommand(own: Record<string, string>): number {
  const sweepDir = openSweepDir(own.dir ?? '');
  const sweep = loadSweepDir(sweepDir);
  const rows = sweepResults(sweepRunsDir(sweepDir), sweep);
  const axes = Object.keys(sweep.spec.axes);
  process.stdout.write(resultsTable(rows, axes));
  if (own.csv !== undefined) {
    if (!own.csv) throw new UsageError('--csv: expected the file to write');
    fs.writeFileSync(own.csv, resultsCsv(rows, axes));
    process.stdout.write(`${own.csv}\n`);
  }
  return 0;
}
