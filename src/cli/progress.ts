/**
 * What the command line prints while a run goes: a one-line progress bar on a
 * terminal, plain lines otherwise (logs, CI: a step's line at most every
 * LOG_EVERY_MS), and the result at the end.
 */
import type { TrainerEvent } from '../protocol/messages';
import { checkpointPosition, phaseText } from '../protocol/progress';
import type { CheckpointInfo } from '../protocol/runFolder';
import { foldRun, INITIAL_RUN, secondsLeft, totalSteps } from '../protocol/runState';

export function bar(fraction: number, width = 24): string {
  const filled = Math.round(Math.max(0, Math.min(1, fraction)) * width);
  return '#'.repeat(filled) + '.'.repeat(width - filled);
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '?';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.round(s)}s`;
}

/** A loss to 4 decimals; null is what JSON made of NaN. */
const fixed = (loss: number | null) => (loss === null ? 'NaN' : loss.toFixed(4));

/** What the command line knows of a job beyond its events: its command, and where a checkpoint of the run folder it was given stands. */
export interface JobContext {
  command: 'train' | 'resume' | 'probe';
  checkpoint?: (name: string) => Pick<CheckpointInfo, 'epoch' | 'stepInEpoch' | 'globalStep'> | undefined;
}

/**
 * The line a resume or probe starts with, saying what it continues or probes:
 * "resuming run ID from checkpoint last, in epoch 2, step 6 of 12".
 */
export function resumeLine(ev: Extract<TrainerEvent, { type: 'started' }>, job: JobContext): string | undefined {
  if (job.command === 'train') return undefined;
  const name = ev.forkedFrom?.checkpoint ?? ev.resumedFrom;
  const cp = name !== undefined ? job.checkpoint?.(name) : undefined;
  const total = ev.config.epochs * ev.stepsPerEpoch;
  const where = cp
    ? `, ${checkpointPosition(cp)}${cp.stepInEpoch ? '' : `, step ${cp.globalStep}`} of ${total}`
    : ev.forkedFrom
      ? `, step ${ev.forkedFrom.globalStep} of ${total}`
      : '';
  if (job.command === 'probe') return `probing run ${ev.runId} at its checkpoint ${name ?? '?'}${where}`;
  if (ev.forkedFrom) return `resuming run ${ev.forkedFrom.runId} from checkpoint ${name}${where} as a new run, ${ev.runId}; that run is kept as it was`;
  if (name === undefined) return `resuming run ${ev.runId}: it saved no checkpoint, so it starts again from step 0`;
  return `resuming run ${ev.runId} from checkpoint ${name}${where}`;
}

/** Off a terminal (a pipe or a log file) a step's progress line comes at most this often, so that a long epoch still shows its pace. */
export const LOG_EVERY_MS = 30_000;

/** Returns an event listener; `quiet` prints only the start, warnings and the end. */
export function progressPrinter(quiet: boolean, out: NodeJS.WriteStream = process.stderr, job: JobContext = { command: 'train' }): (ev: TrainerEvent) => void {
  const tty = out.isTTY && !quiet;
  let run = INITIAL_RUN;
  const line = (text: string) => out.write((tty ? '\r\x1b[K' : '') + text + '\n');
  let logged = -Infinity;
  return (ev) => {
    run = foldRun(run, ev);
    const epochs = run.config?.epochs ?? 1;
    switch (ev.type) {
      case 'started': {
        logged = ev.t;
        const resuming = resumeLine(ev, job);
        if (resuming) line(resuming);
        line(`run ${ev.runId}: ${ev.config.method} on ${ev.config.dataset.kind} (${ev.trainSize} train / ${ev.testSize} test), ${ev.config.encoder}, backend ${ev.backend.label}`);
        for (const s of ev.backend.skipped) line(`  not ${s.backend}: ${s.reason}`);
        break;
      }
      case 'step': {
        if (quiet || (!tty && ev.t - logged < LOG_EVERY_MS)) return;
        const total = totalSteps(run) ?? 1;
        const done = ev.globalStep / total;
        // at the pace of the steps after the first one seen: start-up (loading, compiling, the monitor's first pass) is not a step's time
        const left = secondsLeft(run);
        const text = `epoch ${ev.epoch + 1}/${epochs} [${bar(done)}] ${(done * 100).toFixed(0)}% loss ${fixed(ev.loss)} lr ${ev.lr.toExponential(2)} ${ev.imagesPerSec.toFixed(0)} img/s eta ${left === undefined ? 'estimating...' : formatSeconds(left)}`;
        if (tty) out.write(`\r\x1b[K${text}`);
        else {
          logged = ev.t;
          line(text);
        }
        break;
      }
      case 'phase':
        // the fold above holds the pass the event began
        if (tty) out.write(`\r\x1b[K${phaseText(run.phase!)}...`);
        else if (!quiet) line(`${phaseText(run.phase!)}...`);
        break;
      case 'epoch':
        logged = ev.t;
        if (!quiet) line(`epoch ${ev.epoch + 1}/${epochs}: loss ${fixed(ev.loss)}, ${ev.imagesPerSec.toFixed(0)} img/s, ${formatSeconds(ev.seconds)}`);
        break;
      case 'probeProgress':
        if (!quiet) line(`probe epoch ${ev.epoch + 1}/${ev.epochs}: train ${(ev.trainAcc * 100).toFixed(1)}%, test ${(ev.testAcc * 100).toFixed(1)}%`);
        break;
      case 'probeResult':
        line(
          `linear probe top-1: ${(ev.top1 * 100).toFixed(2)}% (checkpoint ${ev.checkpoint}, ${ev.epochs} epochs; best over epochs ${(ev.bestTop1 * 100).toFixed(2)}% at epoch ${ev.bestEpoch + 1})`,
        );
        break;
      case 'log':
        if (!quiet) line(ev.message);
        break;
      case 'warning':
        line(`warning: ${ev.message}`);
        break;
      case 'finished':
        line(`run ${ev.state}`);
        break;
      case 'failed':
        line(`run failed: ${ev.error}${ev.hint ? `\n  ${ev.hint}` : ''}`);
        break;
    }
  };
}
