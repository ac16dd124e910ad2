/**
 * How long a run will take, before it starts and while it runs: from the
 * views/s this machine reached on the same backend setting and encoder in its
 * last run (kept in the extension's global state), the number of SGD steps and
 * the probe's share. Pure functions; the host stores and reads the records.
 */
import type { TrainerEvent } from '../../protocol/messages';
import { formatDuration } from '../../protocol/progress';

/** Measured speed of one backend setting and encoder on this machine. */
export interface Throughput {
  /** Augmented views through forward, backward and SGD per second (images/s x views). */
  viewsPerSec: number;
  /** Images (train + test) through the linear probe per second, when a probe was timed. */
  probeImagesPerSec?: number;
  /** The backend that ran, e.g. "wasm". */
  backend: string;
}

/** The part of a run that sets its length. */
export interface RunSize {
  /** Training / test images after trainLimit / testLimit; undefined when only the data can tell. */
  trainImages?: number;
  testImages?: number;
  epochs: number;
  batchSize: number;
  views: number;
}

export interface Estimate {
  /** SGD steps of pretraining, when the training-set size is known. */
  steps?: number;
  /** Whole run (pretraining and probe), when both a size and a throughput are known. */
  seconds?: number;
  /** One line for people: "78 steps, about 4 min on wasm". */
  text: string;
}

/** The record key: a forced backend and an `auto` one can differ, and so do encoders. */
export const throughputKey = (backendSetting: string, encoder: string): string => `${backendSetting}/${encoder}`;

/** Steps per epoch as the trainer counts them (src/trainer/pretrain.ts): whole batches, at least one. */
export const stepsPerEpoch = (trainImages: number, batchSize: number): number => Math.max(1, Math.floor(trainImages / batchSize));

/**
 * The run's steps and length: steps x batch x views / views-per-second for
 * pretraining, plus (train + test images) / probe images-per-second when the
 * probe was timed. Without a throughput it says none was measured yet.
 */
export function estimateRun(size: RunSize, t?: Throughput): Estimate {
  const steps = size.trainImages !== undefined ? stepsPerEpoch(size.trainImages, size.batchSize) * size.epochs : undefined;
  const stepsText = steps !== undefined ? `${steps} step${steps === 1 ? '' : 's'}` : 'steps known once the data is read';
  if (!t || steps === undefined || !(t.viewsPerSec > 0)) {
    return { steps, text: t ? stepsText : `${stepsText}; no time estimate yet (measured during the first run on this backend)` };
  }
  let seconds = (steps * size.batchSize * size.views) / t.viewsPerSec;
  const probed = t.probeImagesPerSec && size.testImages !== undefined ? ((size.trainImages ?? 0) + size.testImages) / t.probeImagesPerSec : undefined;
  if (probed !== undefined) seconds += probed;
  return { steps, seconds, text: `${stepsText}, about ${formatDuration(seconds)}${probed === undefined ? ' plus the probe' : ''} on ${t.backend}` };
}

/**
 * What a finished job's events say about this machine's speed: views/s over
 * its pretraining epochs (images/s x seconds x views, summed, over the
 * seconds) and, when it probed, (train + test images) over the time from the
 * end of pretraining to the probe result. Fields are absent when the job did
 * not measure them (a probe-only job has no epochs). Events in arrival order.
 */
export function measureThroughput(events: readonly TrainerEvent[]): Partial<Throughput> | undefined {
  const started = events.find((e) => e.type === 'started');
  if (started?.type !== 'started') return undefined;
  const out: Partial<Throughput> = { backend: started.backend.name };
  let views = 0;
  let seconds = 0;
  let probeFrom = started.t;
  for (const e of events) {
    if (e.type === 'epoch') {
      views += e.imagesPerSec * e.seconds * started.config.views;
      seconds += e.seconds;
      probeFrom = e.t;
    }
    if (e.type === 'probeResult' && e.t > probeFrom) out.probeImagesPerSec = (started.trainSize + started.testSize) / ((e.t - probeFrom) / 1000);
  }
  if (seconds > 0) out.viewsPerSec = views / seconds;
  return out;
}
