/**
 * The one fold of a run's TrainerEvents into what they say about the run:
 * its state, config, backend, progress, pace, probe results and error. The
 * recorder writes status.json from it, the extension's live runs show
 * progress from it, the dashboard's cards and the CLI's progress lines read
 * it. Pure: foldRun and foldEvents never change their input and read no
 * clock, process or file.
 *
 * Events cannot tell a running run from a killed one (a killed trainer sends
 * nothing more), so a run whose last attempt has no `finished` or `failed`
 * stays `running` here. Whether its process is alive is judged by whoever can
 * see the process (readStatus in runFolder.ts, the extension host's live
 * runs), and joined with the fold by shownState.
 */
import type { RunConfig } from './config';
import type { BackendInfo, RunParent, RunState, TrainerEvent } from './messages';
import { isFinalCheckpoint, probeRecord, ProbeRecord, upsertProbe } from './probes';
import { timeLeft } from './progress';

/** The states events can tell; `interrupted` needs the process, which events never see. */
export type EventRunState = Exclude<RunState, 'interrupted'>;

/** A step event's global step and its time (ms since the epoch). */
export interface StepMark {
  globalStep: number;
  t: number;
}

/** What a run's events say about it, folded in order by foldRun. Every field is absent until an event sets it. */
export interface RunFold {
  /** `running` from a started event until the finished or failed event that ends that attempt. */
  state?: EventRunState;
  runId?: string;
  config?: RunConfig;
  backend?: BackendInfo;
  /** SGD steps per epoch (the started event's). */
  stepsPerEpoch?: number;
  /** Checkpoint this attempt resumed from, or the other run it was forked from. */
  resumedFrom?: string;
  forkedFrom?: RunParent;
  /** ms since the epoch: the first start, the start of the latest attempt, the latest end (cleared by a new start). */
  startedAt?: number;
  attemptStartedAt?: number;
  endedAt?: number;
  /** 0-based epoch index of the latest step or epoch event (people count from 1: progress.ts epochNumber). */
  epoch?: number;
  /** Global step of the latest step event: steps done over the whole run. */
  globalStep?: number;
  /** The latest step's loss (a diverged step's NaN included; null lines of metrics.jsonl are skipped), learning rate and images/s. */
  loss?: number;
  lr?: number;
  imagesPerSec?: number;
  /**
   * The pace of the steps since the latest (re)start: the first step seen is
   * the reference (it includes start-up work later steps do not), and a step
   * at or before it (a resume from an earlier checkpoint) starts it again.
   */
  paceFrom?: StepMark;
  paceTo?: StepMark;
  /** Seconds of representation measurements since paceFrom: time between steps that is not the steps'. */
  measuredSince?: number;
  /** The latest representation measurement: epochs done when it ran, images it encoded, seconds it took. */
  measurement?: { epoch: number; images: number; seconds: number };
  /** Images the linear probe encodes at the end (train and test splits). */
  probeImages?: number;
  /** The frozen-model pass under way (the monitor's, the probe's features), until the next event other than a log. */
  phase?: { name: 'monitor' | 'probeFeatures'; images: number };
  /** 0-based epoch index and epoch count of the latest linear-probe epoch of the latest attempt. */
  probeEpoch?: number;
  probeEpochs?: number;
  /** Every probe of the run, one record per checkpoint (probes.ts). */
  probes: readonly ProbeRecord[];
  /** The headline: probe top-1 in [0, 1] of the final checkpoint, named by top1Checkpoint. */
  top1?: number;
  top1Checkpoint?: string;
  /** The latest attempt's own probe result, whichever checkpoint it probed (what a probe job reports). */
  attemptProbe?: { checkpoint: string; top1: number };
  /** Why the latest attempt failed, and what to do about it. */
  error?: string;
  hint?: string;
}

/** The fold of no events: where every run starts. */
export const INITIAL_RUN: RunFold = Object.freeze({ probes: [] });

/**
 * The run after one more event, as a new object; `run` is left as it was.
 * Events are taken in the order they were recorded; a resume appends a new
 * started event and may replay steps from an earlier checkpoint.
 */
export function foldRun(run: RunFold, e: TrainerEvent): RunFold {
  return foldEvents([e], run);
}

/**
 * Folds events in order onto `from` (the initial run by default): the same as
 * foldRun event by event, with one copy of the run for the whole batch (a
 * long run's history is hundreds of thousands of steps).
 */
export function foldEvents(events: readonly TrainerEvent[], from: RunFold = INITIAL_RUN): RunFold {
  const run = { ...from };
  for (const e of events) apply(run, e);
  return run;
}

/** Applies one event to a run this fold owns (a fresh copy): nothing it shares with its caller is changed in place. */
function apply(run: RunFold, e: TrainerEvent): void {
  const phase = run.phase;
  if (e.type !== 'log') run.phase = e.type === 'phase' ? { name: e.phase, images: e.images } : undefined;
  switch (e.type) {
    case 'started': {
      const attempt: Partial<RunFold> = {
        state: 'running',
        runId: e.runId,
        config: e.config,
        backend: e.backend,
        stepsPerEpoch: e.stepsPerEpoch,
        probeImages: e.trainSize + e.testSize,
        resumedFrom: e.resumedFrom,
        forkedFrom: e.forkedFrom,
        startedAt: run.startedAt ?? e.t,
        attemptStartedAt: e.t,
        endedAt: undefined,
        paceFrom: undefined,
        paceTo: undefined,
        probeEpoch: undefined,
        probeEpochs: undefined,
        attemptProbe: undefined,
        error: undefined,
        hint: undefined,
      };
      Object.assign(run, attempt);
      break;
    }
    case 'step': {
      const mark = { globalStep: e.globalStep, t: e.t };
      if (!run.paceFrom || e.globalStep <= run.paceFrom.globalStep) {
        run.paceFrom = mark;
        run.measuredSince = 0;
      }
      run.paceTo = mark;
      run.epoch = e.epoch;
      run.globalStep = e.globalStep;
      // a null loss comes from a metrics line of a diverged step (JSON has no NaN)
      run.loss = (e.loss as number | null) ?? run.loss;
      run.lr = e.lr;
      run.imagesPerSec = e.imagesPerSec;
      break;
    }
    case 'epoch':
      run.epoch = e.epoch;
      break;
    case 'diagnostics':
      if (run.paceFrom) run.measuredSince = (run.measuredSince ?? 0) + e.seconds;
      if (phase?.name === 'monitor') run.measurement = { epoch: e.epoch, images: phase.images, seconds: e.seconds };
      break;
    case 'probeProgress':
      run.probeEpoch = e.epoch;
      run.probeEpochs = e.epochs;
      break;
    case 'probeResult':
      run.probes = upsertProbe(run.probes, probeRecord(e));
      run.attemptProbe = { checkpoint: e.checkpoint, top1: e.top1 };
      if (isFinalCheckpoint(e.checkpoint)) {
        run.top1 = e.top1;
        run.top1Checkpoint = e.checkpoint;
      }
      break;
    case 'finished':
      run.state = e.state;
      run.endedAt = e.t;
      // older runs put the probed checkpoint's top-1 here even when it was not the final one
      if (e.top1 !== undefined && run.top1Checkpoint === undefined) run.top1 = e.top1;
      break;
    case 'failed':
      run.state = 'failed';
      run.endedAt = e.t;
      run.error = e.error;
      run.hint = e.hint;
      break;
  }
}

/** Pretraining steps of the whole run (epochs x steps per epoch); undefined before the started event. */
export function totalSteps(run: RunFold): number | undefined {
  return run.config && run.stepsPerEpoch !== undefined ? run.config.epochs * run.stepsPerEpoch : undefined;
}

/**
 * Seconds left in the job: the steps left at the pace of this attempt's steps
 * (representation measurements between them taken out), then, once one was
 * timed, the measurements still to come and the linear probe's encoding of
 * its images at the measurement's rate. Undefined before two steps were timed.
 */
export function secondsLeft(run: RunFold): number | undefined {
  const total = totalSteps(run);
  const { paceFrom: from, paceTo: to, measurement: m } = run;
  if (total === undefined || !from || !to) return undefined;
  const steps = timeLeft(to.globalStep, total, to.globalStep - from.globalStep, (to.t - from.t) / 1000 - (run.measuredSince ?? 0));
  if (steps === undefined || !m || !run.config || m.images <= 0) return steps;
  const measurements = Math.max(0, run.config.epochs - m.epoch);
  return steps + measurements * m.seconds + ((run.probeImages ?? 0) * m.seconds) / m.images;
}

/**
 * The state to show for a run: what its events say, except that a run whose
 * events say `running` is `interrupted` when the host, which can see its
 * process, judged it so (readStatus: its pid is gone on this machine). With
 * no events yet, the host's state stands.
 */
export function shownState(run: RunFold, hostState: RunState | undefined): RunState | undefined {
  if (run.state === 'running' && hostState === 'interrupted') return 'interrupted';
  return run.state ?? hostState;
}
