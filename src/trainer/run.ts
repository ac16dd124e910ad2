/**
 * A run from start to end: backend, data, model, (resumed) pretraining, linear
 * probe, and the run folder's final state. The CLI calls these in-process; the
 * extension runs the CLI as a child process, so both drive the trainer alike.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveConfig, type RunConfig } from '../protocol/config';
import type { TrainerEvent } from '../protocol/messages';
import { isRunId, listCheckpoints, readJson, readStatus, renamedProblem, resumeForks, RunParent, RunStatus, runFiles } from '../protocol/runFolder';
import { initBackend, releaseBackend } from './backend/init';
import { LoadedCheckpoint, loadCheckpoint, repairCheckpoints, restoreVariables, TrainingPosition } from './io/checkpoint';
import { Dataset } from './data/dataset';
import { loadDataset } from './data/loadDataset';
import { representationMonitor } from './diagnostics/monitor';
import { describeFailure, divergedHint } from './failures';
import { buildModel, disposeModel, Model, modelVariables, pretrain, stepsPerEpoch } from './pretrain';
import { startModelRunner, type ModelRunner } from './modelRunner';
import { linearProbe, probeBatchSize } from './probe';
import { isFinalCheckpoint } from '../protocol/probes';
import { EventBody, RunRecorder } from './io/recorder';

export interface JobOptions {
  cacheDir?: string;
  shouldStop: () => boolean;
  onEvent?: (ev: TrainerEvent) => void;
}

export function defaultCacheDir(): string {
  return process.env.SUPCON_CACHE_DIR ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'supcon-lab');
}

/**
 * The cores a job may use: those of its CPU affinity, or fewer when Slurm
 * gave the task fewer (SLURM_CPUS_PER_TASK, from sbatch --cpus-per-task),
 * which the affinity does not show on a cluster that does not bind tasks.
 */
export function availableCores(env: NodeJS.ProcessEnv = process.env): number {
  const cores = os.availableParallelism();
  const slurm = Number(env.SLURM_CPUS_PER_TASK);
  return Number.isInteger(slurm) && slurm > 0 ? Math.min(cores, slurm) : cores;
}

/** Starts a new run in a new folder under runsDir. */
export async function trainRun(runsDir: string, config: RunConfig, opts: JobOptions): Promise<RunStatus> {
  const recorder = RunRecorder.create(runsDir, config, opts.onEvent);
  const plan: Plan = { pretrain: true };
  let prepared: Prepared;
  try {
    prepared = await prepare(config, opts, plan);
  } catch (e) {
    return fail(recorder, e);
  }
  return execute(recorder, config, opts, plan, prepared);
}

/**
 * Continues a run from one of its checkpoints, appending to the same metrics.
 * A completed run resumed from a checkpoint before its end would have its
 * later steps, checkpoints and result replaced: it is kept as it is, and the
 * training continues in a new run forked from that checkpoint, whose status
 * names its parent (run id, checkpoint, step). A run interrupted before its
 * first checkpoint, resumed from `last`, has nothing to continue from: it
 * starts again from step 0 in its own folder (the same seed gives the same
 * steps).
 */
export async function resumeRun(runDir: string, checkpoint: string, opts: JobOptions): Promise<RunStatus> {
  const { config, saved } = openRun(runDir, checkpoint, checkpoint === 'last');
  const plan: Plan = { pretrain: true, checkpoint: saved };
  const prepared = await prepare(config, opts, plan);
  const previous = tryReadStatus(runDir);
  const forkedFrom =
    saved && resumeForks(previous, saved.loaded.manifest.globalStep) ? { runId: path.basename(runDir), checkpoint, globalStep: saved.loaded.manifest.globalStep } : undefined;
  let recorder: RunRecorder;
  try {
    recorder = forkedFrom ? RunRecorder.create(path.dirname(runDir), config, opts.onEvent, forkedFrom) : RunRecorder.reopen(runDir, opts.onEvent);
  } catch (e) {
    disposeModel(prepared.model);
    await releaseBackend();
    throw e;
  }
  return execute(recorder, config, opts, { ...plan, forkedFrom }, prepared);
}

function tryReadStatus(runDir: string): RunStatus | undefined {
  try {
    return readStatus(runDir);
  } catch {
    return undefined; // unreadable status: the job rewrites it
  }
}

/**
 * Runs the linear probe on a saved checkpoint of a run. Data, model and
 * checkpoint are checked before the run is reopened: a checkpoint that does
 * not fit (another encoder, projection size or dataset) is refused with the
 * run left exactly as it was.
 */
export async function probeRun(runDir: string, checkpoint: string, opts: JobOptions): Promise<RunStatus> {
  const { config, saved } = openRun(runDir, checkpoint);
  const previous = tryReadStatus(runDir)?.state ?? 'completed';
  const plan: Plan = { pretrain: false, checkpoint: saved, endState: previous === 'completed' ? 'completed' : 'stopped' };
  const prepared = await prepare(config, opts, plan);
  return execute(RunRecorder.reopen(runDir, opts.onEvent), config, opts, plan, prepared);
}

interface SavedCheckpoint {
  name: string;
  dir: string;
  loaded: LoadedCheckpoint;
}

/**
 * Everything a resume or probe needs from the run folder, checked before the
 * run is touched: a bad one stays as it was. With `fromStartIfNone`, a run
 * that has no complete checkpoint at all gives no checkpoint instead of an
 * error.
 */
function openRun(runDir: string, checkpoint: string, fromStartIfNone = false): { config: RunConfig; saved?: SavedCheckpoint } {
  refuseLive(runDir);
  const config = readRunConfig(runDir);
  // a run folder, renamed: its events would name a run id every reader rejects
  if (!isRunId(path.basename(runDir))) throw new Error(`${runDir}: ${renamedProblem(runDir)}`);
  repairCheckpoints(runDir);
  if (fromStartIfNone && listCheckpoints(runDir).length === 0) return { config };
  const dir = checkpointDir(runDir, checkpoint);
  return { config, saved: { name: checkpoint, dir, loaded: loadCheckpoint(dir) } };
}

/** A second trainer on a live run would interleave its metrics and overwrite its checkpoints. */
function refuseLive(runDir: string): void {
  let status: RunStatus;
  try {
    status = readStatus(runDir);
  } catch {
    return; // a corrupt status.json is rewritten by the new job
  }
  if (status.state === 'running' && status.host === os.hostname()) {
    throw new Error(`${runDir}: still running (process ${status.pid}); stop it first, or wait for it to end`);
  }
}

/** The run's config.json, validated; errors name the file. */
export function readRunConfig(runDir: string): RunConfig {
  const file = runFiles(runDir).config;
  const raw = readJson(file); // its errors name the file
  try {
    return resolveConfig(raw);
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`);
  }
}

/** The folder of a complete checkpoint of the run; errors list the ones there are. */
export function checkpointDir(runDir: string, name: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new Error(`checkpoint name ${JSON.stringify(name)}: expected letters, digits, _ and - only`);
  const all = listCheckpoints(runDir);
  const found = all.find((c) => c.name === name);
  if (!found) throw new Error(`${runDir}: no complete checkpoint "${name}" (have: ${all.map((c) => c.name).join(', ') || 'none'})`);
  return found.dir;
}

/** With one view an anchor's positives are other images of its class: some class needs two training images. */
function checkPositivesPossible(config: RunConfig, dataset: Dataset): void {
  if (config.views > 1 || config.method === 'ce') return;
  const seen = new Set<number>();
  for (const label of dataset.train.labels) {
    if (seen.has(label)) return;
    seen.add(label);
  }
  throw new Error(
    "views: with 1 view an anchor's positives are other images of its class, but no class has two training images, so every loss would be 0; use views >= 2 or more images per class",
  );
}

interface Plan {
  pretrain: boolean;
  checkpoint?: SavedCheckpoint;
  /** Set when a resume continues in a new run instead of rewriting its parent. */
  forkedFrom?: RunParent;
  endState?: 'completed' | 'stopped';
}

/** What a job needs before it writes anything: backend, data, the model with its checkpoint restored. */
interface Prepared {
  backend: Awaited<ReturnType<typeof initBackend>>;
  dataset: Dataset;
  model: Model;
  position: TrainingPosition;
  /** What loading the data said; recorded after `started`. */
  loadNotes: EventBody[];
}

/** Throws (having released what it took) when the data, model or checkpoint cannot be used. */
async function prepare(config: RunConfig, opts: JobOptions, plan: Plan): Promise<Prepared> {
  let model: Model | undefined;
  try {
    const backend = await initBackend(config.backend, config.threads || availableCores());
    // `started` comes first; what loading the data says follows it
    const loadNotes: EventBody[] = [];
    const dataset = await loadDataset(config.dataset, {
      cacheDir: opts.cacheDir ?? defaultCacheDir(),
      seed: config.seed,
      log: (message) => loadNotes.push({ type: 'log', level: 'info', message }),
      warn: (code, message) => loadNotes.push({ type: 'warning', code, message }),
    });
    if (plan.pretrain) checkPositivesPossible(config, dataset);
    model = buildModel(config, dataset);
    let position: TrainingPosition = { epoch: 0, stepInEpoch: 0, globalStep: 0, rngState: config.seed ^ 0xa5a5a5a5 };
    if (plan.checkpoint) {
      const { loaded, dir } = plan.checkpoint;
      restoreVariables(loaded, modelVariables(model), dir);
      const { epoch, stepInEpoch, globalStep, rngState } = loaded.manifest;
      position = { epoch, stepInEpoch, globalStep, rngState };
    }
    return { backend, dataset, model, position, loadNotes };
  } catch (e) {
    if (model) disposeModel(model);
    await releaseBackend();
    throw e;
  }
}

/** Records a failure, with a hint that never promises a checkpoint the run does not have. */
function fail(recorder: RunRecorder, e: unknown): RunStatus {
  try {
    recorder.emit({ type: 'failed', ...describeFailure(e, listCheckpoints(recorder.runDir).length > 0) });
    return recorder.status;
  } finally {
    recorder.close();
  }
}

async function execute(recorder: RunRecorder, config: RunConfig, opts: JobOptions, plan: Plan, prepared: Prepared): Promise<RunStatus> {
  const { backend, dataset, model, position, loadNotes } = prepared;
  let runner: ModelRunner | undefined;
  try {
    recorder.emit({
      type: 'started',
      runId: recorder.runId,
      config,
      backend,
      resumedFrom: plan.checkpoint?.name,
      forkedFrom: plan.forkedFrom,
      trainSize: dataset.train.count,
      testSize: dataset.test.count,
      stepsPerEpoch: stepsPerEpoch(dataset.train.count, config.batchSize),
    });
    loadNotes.forEach((note) => recorder.emit(note));
    runner = await startModelRunner(config, dataset, model, position.globalStep, backend.name === 'wasm' ? backend.threads : 1);
    const encode = runner.encode;
    if (plan.pretrain) {
      const best = listCheckpoints(recorder.runDir).find((c) => c.name === 'best')?.metric;
      const monitor = representationMonitor(config, dataset, (ev) => recorder.emit(ev));
      const measure = monitor && ((epochsDone: number, globalStep: number) => monitor({ encode, head: model.head }, epochsDone, globalStep));
      if (measure && position.globalStep === 0) await measure(0, 0);
      const outcome = await pretrain({
        config,
        dataset,
        model,
        recorder,
        position,
        bestLoss: best ?? Infinity,
        shouldStop: opts.shouldStop,
        afterEpoch: measure,
        runner,
      });
      if (outcome.kind === 'diverged') {
        recorder.emit({
          type: 'failed',
          error: `loss became NaN or infinite at step ${outcome.step}${outcome.lastLoss !== undefined ? ` (last finite loss ${outcome.lastLoss.toFixed(4)})` : ''}`,
          hint: divergedHint(listCheckpoints(recorder.runDir).length > 0),
          step: outcome.step,
        });
        return recorder.status;
      }
      if (outcome.kind === 'stopped') {
        recorder.emit({ type: 'finished', state: 'stopped' });
        return recorder.status;
      }
    }
    const probeName = plan.checkpoint && !plan.pretrain ? plan.checkpoint.name : config.epochs === 0 ? 'init' : 'last';
    const probeAt = plan.checkpoint && !plan.pretrain ? plan.checkpoint.loaded.manifest.globalStep : recorder.status.globalStep;
    const batchSize = probeBatchSize(config.probe.batchSize, dataset.train.count);
    if (batchSize !== config.probe.batchSize) {
      recorder.emit({
        type: 'log',
        level: 'info',
        message: `probe batch size ${batchSize}: probe.batchSize ${config.probe.batchSize} is capped at a tenth of the ${dataset.train.count} training images, so each probe epoch has at least 10 steps`,
      });
    }
    recorder.emit({ type: 'phase', phase: 'probeFeatures', images: dataset.train.count + dataset.test.count });
    const result = await linearProbe(encode, model.encoder.dim, dataset, config.probe, config.seed, (p) =>
      recorder.emit({ type: 'probeProgress', epoch: p.epoch, epochs: config.probe.epochs, loss: p.loss, trainAcc: p.trainAcc, testAcc: p.testAcc }),
    );
    recorder.emit({
      type: 'probeResult',
      checkpoint: probeName,
      globalStep: probeAt,
      top1: result.top1,
      bestTop1: result.bestTop1,
      bestEpoch: result.bestEpoch,
      epochs: config.probe.epochs,
      lr: config.probe.lr,
      batchSize: result.batchSize,
    });
    // the run's headline is its final checkpoint's: an earlier one's probe is a record of its own
    recorder.emit({ type: 'finished', state: plan.endState ?? 'completed', top1: isFinalCheckpoint(probeName) ? result.top1 : undefined });
    return recorder.status;
  } catch (e) {
    recorder.emit({ type: 'failed', ...describeFailure(e, listCheckpoints(recorder.runDir).length > 0) });
    return recorder.status;
  } finally {
    await runner?.close();
    disposeModel(model);
    recorder.close();
    await releaseBackend();
  }
}
