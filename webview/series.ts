/**
 * What the dashboard knows about each run, built from TrainerEvents: columnar
 * step metrics for the charts plus the run's config, backend and outcome.
 * Pure (no DOM), so the host's tests and the bench drive the same code.
 */
import type { RunConfig } from '../src/protocol/config';
import type { BackendInfo, TrainerEvent } from '../src/protocol/messages';
import { epochNumber, StepPace } from '../src/protocol/progress';
import { isFinalCheckpoint, ProbeRecord, probeRecord, upsertProbe } from '../src/protocol/probes';
import { Column } from './column';
import { emptyRepresentation, ingestDiagnostics, noteCheckpoint, RepresentationData } from './representation';

export const STEP_METRICS = ['loss', 'lr', 'imagesPerSec', 'posSim', 'negSim'] as const;
export type StepMetric = (typeof STEP_METRICS)[number];

export interface RunData {
  id: string;
  steps: Column;
  epochOfStep: Column;
  metrics: Record<StepMetric, Column>;
  probeEpoch: Column;
  probeTestAcc: Column;
  probeTrainAcc: Column;
  config?: RunConfig;
  backend?: BackendInfo;
  stepsPerEpoch?: number;
  /** The pace of this run's steps since it (re)started, for time left. */
  pace: StepPace;
  state?: 'running' | 'completed' | 'stopped' | 'failed';
  /** The headline: probe top-1 of the final checkpoint, named by top1Checkpoint. */
  top1?: number;
  top1Checkpoint?: string;
  /** Every probe of the run, one per checkpoint. */
  probes: ProbeRecord[];
  error?: string;
  hint?: string;
  lastEpoch?: number;
  /** Wall-clock ms of the first start and of the latest end (finished or failed). */
  startedAt?: number;
  endedAt?: number;
  checkpoints: string[];
  representation: RepresentationData;
  /** Bumped on every change, so views redraw only what moved. */
  version: number;
}

const num = (v: number | null): number => (v === null ? NaN : v);

export function emptyRun(id: string): RunData {
  return {
    id,
    steps: new Column(),
    epochOfStep: new Column(),
    metrics: { loss: new Column(), lr: new Column(), imagesPerSec: new Column(), posSim: new Column(), negSim: new Column() },
    probeEpoch: new Column(16),
    probeTestAcc: new Column(16),
    probeTrainAcc: new Column(16),
    checkpoints: [],
    representation: emptyRepresentation(),
    pace: new StepPace(),
    probes: [],
    version: 0,
  };
}

/** Applies events to a run in order; unknown kinds are ignored. */
export function ingest(run: RunData, events: readonly TrainerEvent[]): void {
  for (const e of events) {
    switch (e.type) {
      case 'step':
        // a run resumed from an earlier checkpoint replays steps: the replay replaces them
        if ((run.steps.last() ?? -Infinity) >= e.globalStep) dropStepsFrom(run, run.steps.lowerBound(e.globalStep));
        run.steps.push(e.globalStep);
        run.pace.step(e.globalStep, e.t);
        run.epochOfStep.push(e.epoch);
        run.metrics.loss.push(num(e.loss));
        run.metrics.lr.push(e.lr);
        run.metrics.imagesPerSec.push(e.imagesPerSec);
        run.metrics.posSim.push(num(e.posSim));
        run.metrics.negSim.push(num(e.negSim));
        break;
      case 'started':
        run.startedAt ??= e.t;
        run.config = e.config;
        run.backend = e.backend;
        run.stepsPerEpoch = e.stepsPerEpoch;
        run.state = 'running';
        run.error = run.hint = undefined;
        break;
      case 'epoch':
        run.lastEpoch = e.epoch;
        break;
      case 'checkpoint':
        if (!run.checkpoints.includes(e.name)) run.checkpoints.push(e.name);
        noteCheckpoint(run.representation, e.name, e.epoch);
        break;
      case 'diagnostics':
        ingestDiagnostics(run.representation, e);
        break;
      case 'probeProgress':
        run.probeEpoch.push(epochNumber(e.epoch));
        run.probeTestAcc.push(e.testAcc);
        run.probeTrainAcc.push(e.trainAcc);
        break;
      case 'probeResult':
        run.probes = upsertProbe(run.probes, probeRecord(e));
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
  if (events.length) run.version++;
}

function dropStepsFrom(run: RunData, index: number): void {
  for (const c of [run.steps, run.epochOfStep, ...Object.values(run.metrics)]) c.truncate(index);
}

/** All runs the dashboard has loaded, by id. */
export class SeriesStore {
  readonly runs = new Map<string, RunData>();

  apply(runId: string, events: readonly TrainerEvent[], reset: boolean): RunData {
    let run = this.runs.get(runId);
    if (!run || reset) {
      const version = run ? run.version + 1 : 0;
      run = emptyRun(runId);
      run.version = version;
      this.runs.set(runId, run);
    }
    ingest(run, events);
    return run;
  }

  drop(keep: ReadonlySet<string>): void {
    for (const id of this.runs.keys()) if (!keep.has(id)) this.runs.delete(id);
  }
}
