/**
 * A run from start to end: backend, data, model, (resumed) pretraining, linear
 * probe, and the run folder's final state. The CLI calls these in-process; the
 * extension runs the CLI as a child process, so both drive the trainer alike.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import type { RunConfig } from '../protocol/config';
import type { TrainerEvent } from '../protocol/messages';
import { listCheckpoints, readJson, readStatus, RunStatus, runFiles } from '../protocol/runFolder';
import { resolveConfig } from '../protocol/config';
import { initBackend, releaseBackend } from './backend';
import { loadCheckpoint, restoreVariables, TrainingPosition } from './checkpoint';
import { loadDataset } from './data/dataset';
import { describeFailure } from './failures';
import { buildModel, disposeModel, Model, modelVariables, pretrain, stepsPerEpoch } from './pretrain';
import { linearProbe } from './probe';
import { EventBody, RunRecorder } from './recorder';

export interface JobOptions {
  cacheDir?: string;
  shouldStop: () => boolean;
  onEvent?: (ev: TrainerEvent) => void;
}

export function defaultCacheDir(): string {
  return process.env.SUPCON_CACHE_DIR ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'supcon-lab');
}

/** Starts a new run in a new folder under runsDir. */
export async function trainRun(runsDir: string, config: RunConfig, opts: JobOptions): Promise<RunStatus> {
  const recorder = RunRecorder.create(runsDir, config, opts.onEvent);
  return execute(recorder, config, opts, { pretrain: true });
}

/** Continues a run from one of its checkpoints, appending to the same metrics. */
export async function resumeRun(runDir: string, checkpoint: string, opts: JobOptions): Promise<RunStatus> {
  const config = readRunConfig(runDir);
  const dir = checkpointDir(runDir, checkpoint);
  return execute(RunRecorder.reopen(runDir, opts.onEvent), config, opts, { pretrain: true, checkpoint: dir });
}

/** Runs the linear probe on a saved checkpoint of a run. */
export async function probeRun(runDir: string, checkpoint: string, opts: JobOptions): Promise<RunStatus> {
  const config = readRunConfig(runDir);
  const dir = checkpointDir(runDir, checkpoint);
  let previous: RunStatus['state'] = 'completed';
  try {
    previous = readStatus(runDir).state;
  } catch {
    // unreadable status: the probe rewrites it
  }
  const endState = previous === 'completed' ? 'completed' : 'stopped';
  return execute(RunRecorder.reopen(runDir, opts.onEvent), config, opts, { pretrain: false, checkpoint: dir, endState });
}

function readRunConfig(runDir: string): RunConfig {
  try {
    return resolveConfig(readJson(runFiles(runDir).config));
  } catch (e) {
    throw new Error(`${runFiles(runDir).config}: ${(e as Error).message}`);
  }
}

function checkpointDir(runDir: string, name: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new Error(`checkpoint name ${JSON.stringify(name)}: expected letters, digits, _ and - only`);
  const found = listCheckpoints(runDir).find((c) => c.name === name);
  if (!found) {
    const known = listCheckpoints(runDir).map((c) => c.name);
    throw new Error(`${runDir}: no complete checkpoint "${name}" (have: ${known.join(', ') || 'none'})`);
  }
  return found.dir;
}

interface Plan {
  pretrain: boolean;
  checkpoint?: string;
  endState?: 'completed' | 'stopped';
}

async function execute(recorder: RunRecorder, config: RunConfig, opts: JobOptions, plan: Plan): Promise<RunStatus> {
  let model: Model | undefined;
  try {
    const backend = await initBackend(config.backend);
    // `started` comes first; what loading the data says follows it
    const loadNotes: EventBody[] = [];
    const dataset = await loadDataset(config.dataset, {
      cacheDir: opts.cacheDir ?? defaultCacheDir(),
      seed: config.seed,
      log: (message) => loadNotes.push({ type: 'log', level: 'info', message }),
      warn: (code, message) => loadNotes.push({ type: 'warning', code, message }),
    });
    model = buildModel(config, dataset);
    let position: TrainingPosition = { epoch: 0, stepInEpoch: 0, globalStep: 0, rngState: config.seed ^ 0xa5a5a5a5 };
    if (plan.checkpoint) {
      const loaded = loadCheckpoint(plan.checkpoint);
      restoreVariables(loaded, modelVariables(model), plan.checkpoint);
      const { epoch, stepInEpoch, globalStep, rngState } = loaded.manifest;
      position = { epoch, stepInEpoch, globalStep, rngState };
    }
    recorder.emit({
      type: 'started',
      runId: recorder.runId,
      config,
      backend,
      resumedFrom: plan.checkpoint && path.basename(plan.checkpoint),
      trainSize: dataset.train.count,
      testSize: dataset.test.count,
      stepsPerEpoch: stepsPerEpoch(dataset.train.count, config.batchSize),
    });
    loadNotes.forEach((note) => recorder.emit(note));
    if (plan.pretrain) {
      const best = listCheckpoints(recorder.runDir).find((c) => c.name === 'best')?.metric;
      const outcome = await pretrain({ config, dataset, model, recorder, position, bestLoss: best ?? Infinity, shouldStop: opts.shouldStop });
      if (outcome.kind === 'diverged') {
        recorder.emit({
          type: 'failed',
          error: `loss became NaN or infinite at step ${outcome.step}${outcome.lastLoss !== undefined ? ` (last finite loss ${outcome.lastLoss.toFixed(4)})` : ''}`,
          hint: 'Lower the learning rate or raise the temperature; the last good checkpoint is kept and can be resumed.',
          step: outcome.step,
        });
        return recorder.status;
      }
      if (outcome.kind === 'stopped') {
        recorder.emit({ type: 'finished', state: 'stopped' });
        return recorder.status;
      }
    }
    const probeName = plan.checkpoint && !plan.pretrain ? path.basename(plan.checkpoint) : 'last';
    const result = await linearProbe(model.encoder, dataset, config.probe, config.seed, (p) =>
      recorder.emit({ type: 'probeProgress', epoch: p.epoch, epochs: config.probe.epochs, loss: p.loss, trainAcc: p.trainAcc, testAcc: p.testAcc }),
    );
    recorder.emit({ type: 'probeResult', checkpoint: probeName, top1: result.top1, bestTop1: result.bestTop1, bestEpoch: result.bestEpoch, epochs: config.probe.epochs });
    recorder.emit({ type: 'finished', state: plan.endState ?? 'completed', top1: result.top1 });
    return recorder.status;
  } catch (e) {
    recorder.emit({ type: 'failed', ...describeFailure(e) });
    return recorder.status;
  } finally {
    if (model) disposeModel(model);
    recorder.close();
    await releaseBackend();
  }
}
