/**
 * What the dashboard knows about each run, built from TrainerEvents: columnar
 * step metrics for the charts plus the run's fold (config, backend, state,
 * results: src/protocol/runState.ts). Pure (no DOM), so the host's tests and
 * the bench drive the same code.
 */
import type { TrainerEvent } from '../src/protocol/messages';
import { epochNumber } from '../src/protocol/progress';
import { foldEvents, INITIAL_RUN, RunFold } from '../src/protocol/runState';
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
  /** What the run's events say about it: state, config, backend, progress, probes, error. */
  fold: RunFold;
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
    fold: INITIAL_RUN,
    representation: emptyRepresentation(),
    version: 0,
  };
}

/** Applies events to a run in order: its fold, and the chart columns of steps, probe epochs and diagnostics. */
export function ingest(run: RunData, events: readonly TrainerEvent[]): void {
  run.fold = foldEvents(events, run.fold);
  for (const e of events) {
    switch (e.type) {
      case 'step':
        // a run resumed from an earlier checkpoint replays steps: the replay replaces them
        if ((run.steps.last() ?? -Infinity) >= e.globalStep) dropStepsFrom(run, run.steps.lowerBound(e.globalStep));
        run.steps.push(e.globalStep);
        run.epochOfStep.push(e.epoch);
        run.metrics.loss.push(num(e.loss));
        run.metrics.lr.push(e.lr);
        run.metrics.imagesPerSec.push(e.imagesPerSec);
        run.metrics.posSim.push(num(e.posSim));
        run.metrics.negSim.push(num(e.negSim));
        break;
      case 'checkpoint':
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
