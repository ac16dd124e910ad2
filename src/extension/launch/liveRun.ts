/**
 * A run this window is driving (train, resume or probe): its trainer process,
 * every event it sent (the dashboard's low-latency source) and the latest
 * numbers for the status bar and progress notification.
 */
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunConfig } from '../../protocol/config';
import type { BackendInfo, TrainerEvent } from '../../protocol/messages';
import { epochNumber, phaseText, stepProgressText } from '../../protocol/progress';
import { runFiles } from '../../protocol/runFolder';
import { foldRun, INITIAL_RUN, RunFold, secondsLeft, totalSteps } from '../../protocol/runState';
import type { TrainerExit } from './trainerProcess';

/** What a LiveRun drives: a trainer it spawned, or one it re-attached to after a window reload. */
export interface TrainerHandle {
  on(name: 'event', listener: (e: TrainerEvent) => void): unknown;
  on(name: 'exit', listener: (x: TrainerExit) => void): unknown;
  stop(): void;
}

export type RunJob = 'train' | 'resume' | 'probe';

export interface RunProgress {
  /** 1-based, as people count (events carry 0-based epochs). */
  epoch: number;
  epochs: number;
  /** Pretraining steps done and to do over the whole run (a resumed run counts from its start). */
  step?: number;
  steps?: number;
  /** Seconds left in pretraining at the pace of this process's steps. */
  secondsLeft?: number;
  /** The frozen-model pass under way between steps or before the probe's epochs. */
  phase?: RunFold['phase'];
  /** 1-based probe epoch while the linear probe trains, and its count. */
  probeEpoch?: number;
  probeEpochs?: number;
  /** 0..1 over the whole job, when known. */
  fraction?: number;
  loss?: number;
  imagesPerSec?: number;
}

export interface RunOutcome {
  state: 'completed' | 'stopped' | 'failed';
  top1?: number;
  /** The checkpoint top1 was probed on. */
  probed?: string;
  error?: string;
  hint?: string;
}

export interface LiveRunEvents {
  /** The run id became known (the started event, or given up front). */
  identified: [string];
  event: [TrainerEvent];
  exit: [RunOutcome];
}

/** What the status bar and progress notification show of a run's fold; a probe job's fraction is its probe's. */
export function runProgress(job: RunJob, run: RunFold): RunProgress {
  const epochs = run.config?.epochs ?? 0;
  const steps = totalSteps(run);
  const p: RunProgress = { epoch: run.epoch === undefined ? 0 : epochNumber(run.epoch), epochs, steps, step: run.globalStep, loss: run.loss, imagesPerSec: run.imagesPerSec };
  if (run.globalStep !== undefined) p.secondsLeft = secondsLeft(run);
  p.phase = run.phase;
  if (run.probeEpoch !== undefined) {
    p.probeEpoch = epochNumber(run.probeEpoch);
    p.probeEpochs = run.probeEpochs;
  }
  if (job === 'probe') {
    if (run.probeEpoch !== undefined) p.fraction = Math.min(1, run.probeEpoch / Math.max(1, run.probeEpochs ?? 0));
  } else if (run.globalStep !== undefined && steps) {
    p.fraction = Math.min(1, run.globalStep / steps);
  }
  return p;
}

/** How the run's events say it ended, before the process exit is known; undefined while nothing says so. */
export function runOutcome(run: RunFold): RunOutcome | undefined {
  if (run.state === 'failed') return { state: 'failed', error: run.error, hint: run.hint };
  const probe = run.attemptProbe;
  const top1 = probe?.top1 ?? (run.top1Checkpoint === undefined ? run.top1 : undefined);
  if (run.state === 'completed' || run.state === 'stopped') return { state: run.state, top1, probed: probe?.checkpoint };
  return probe ? { state: 'completed', top1, probed: probe.checkpoint } : undefined;
}

/** "epoch 2/10", "step 300/468 · 4 min left", "loss 1.234", "850 img/s": what the status bar and the progress notification show. */
export function progressParts(job: RunJob, p: RunProgress): string[] {
  const parts: string[] = [];
  if (p.phase?.name === 'probeFeatures') return [phaseText(p.phase)];
  if (p.probeEpoch !== undefined) return [`linear probe epoch ${p.probeEpoch}/${p.probeEpochs}`];
  if (job !== 'probe' && p.epochs) parts.push(`epoch ${Math.max(1, p.epoch)}/${p.epochs}`);
  if (p.phase) return [...parts, phaseText(p.phase)];
  if (job !== 'probe' && p.steps && p.step !== undefined) parts.push(stepProgressText(p.step, p.steps, p.secondsLeft));
  if (p.loss !== undefined) parts.push(`loss ${p.loss.toPrecision(4)}`);
  if (p.imagesPerSec !== undefined) parts.push(`${Math.round(p.imagesPerSec)} img/s`);
  return parts;
}

/** Size of metrics.jsonl now: a resumed or probed run's earlier events live in the file up to here. */
export function metricsSize(runDir: string | undefined): number {
  if (!runDir) return 0;
  try {
    return fs.statSync(runFiles(runDir).metrics).size;
  } catch {
    return 0;
  }
}

export class LiveRun extends EventEmitter<LiveRunEvents> {
  runId?: string;
  runDir?: string;
  readonly history: TrainerEvent[] = [];
  /** Everything this window saw of the run: primed events, then the trainer's. */
  fold: RunFold = INITIAL_RUN;
  /** Set when the process has exited. */
  private exitOutcome?: RunOutcome;
  readonly spawnOffset: number;

  constructor(
    readonly job: RunJob,
    readonly proc: TrainerHandle,
    readonly runsDir: string,
    runId?: string,
  ) {
    super();
    if (runId) {
      this.runId = runId;
      this.runDir = path.join(runsDir, runId);
    }
    this.spawnOffset = metricsSize(this.runDir);
    proc.on('event', (e) => this.onEvent(e));
    proc.on('exit', (x) => this.onExit(x));
  }

  get label(): string {
    return this.runId ?? `${this.job}…`;
  }

  get config(): RunConfig | undefined {
    return this.fold.config;
  }

  get backend(): BackendInfo | undefined {
    return this.fold.backend;
  }

  get progress(): RunProgress {
    return runProgress(this.job, this.fold);
  }

  /** How the run ended: from its events until the process exits, then with what the exit says. */
  get outcome(): RunOutcome | undefined {
    return this.exitOutcome ?? runOutcome(this.fold);
  }

  stop(): void {
    this.proc.stop();
  }

  /** Takes in what a run recorded before this window followed it (a re-attached run): progress and config, no history. */
  prime(events: readonly TrainerEvent[]): void {
    for (const e of events) this.apply(e);
  }

  private onEvent(e: TrainerEvent): void {
    if (e.type !== 'log') this.history.push(e);
    this.apply(e);
    this.emit('event', e);
  }

  private apply(e: TrainerEvent): void {
    this.fold = foldRun(this.fold, e);
    if (e.type === 'started' && this.runId !== e.runId) {
      this.runId = e.runId;
      this.runDir = path.join(this.runsDir, e.runId);
      this.emit('identified', e.runId);
    }
  }

  private onExit(x: TrainerExit): void {
    let outcome = this.outcome;
    if (x.spawnError)
      outcome = { state: 'failed', error: `Could not start the trainer: ${x.spawnError}`, hint: 'Check the supconLab.nodePath and supconLab.trainerPath settings.' };
    else if (x.code === 2) outcome = { state: 'failed', error: lastLine(x.stderrTail) || 'The trainer rejected its arguments.' };
    else if (x.signal && outcome?.state !== 'failed')
      outcome = { state: 'failed', error: `The trainer was ended by ${x.signal}.`, hint: 'The run reads as interrupted: resume it from its last checkpoint.' };
    // a trainer a signal stopped exits 128 + its number after saving (stopped), or at once on a second one (interrupted)
    else if (x.code !== null && SIGNAL_EXITS[x.code] && outcome?.state !== 'failed') {
      if (outcome?.state !== 'stopped')
        outcome = { state: 'failed', error: `The trainer was ended by ${SIGNAL_EXITS[x.code]}.`, hint: 'The run reads as interrupted: resume it from its last checkpoint.' };
    } else if (x.code !== 0 && outcome?.state !== 'failed') outcome = { state: 'failed', error: `The trainer exited with code ${x.code}.`, hint: lastLine(x.stderrTail) };
    outcome ??= { state: 'failed', error: 'The trainer exited without reporting how its run ended.', hint: lastLine(x.stderrTail) };
    this.exitOutcome = outcome;
    this.emit('exit', outcome);
  }
}

/** The exit codes of a trainer that a signal stopped (128 + the signal's number), as the CLI ends after Ctrl-C or SIGTERM. */
const SIGNAL_EXITS: Record<number, NodeJS.Signals> = { 130: 'SIGINT', 143: 'SIGTERM' };

function lastLine(text: string): string {
  return text.trim().split('\n').pop()?.trim() ?? '';
}
