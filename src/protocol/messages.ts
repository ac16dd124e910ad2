/**
 * The message contract between the trainer, the extension host and the
 * dashboard. The trainer sends TrainerEvents over Node IPC (when it has a
 * parent) and appends each one as a line of the run's metrics.jsonl; readers
 * of either path go through parseEvent, so nothing else defines a message.
 */
import type { RunConfig } from './config';

/** `queued`: submitted to a cluster scheduler, its job not started yet (see cluster.ts). */
export type RunState = 'queued' | 'running' | 'completed' | 'failed' | 'stopped' | 'interrupted';

export interface BackendInfo {
  /** tfjs backend name actually running: tensorflow, webgpu, wasm, cpu. */
  name: string;
  /** What a person calls it: "GPU (CUDA, tfjs-node-gpu)", "WebGPU: NVIDIA ...", "wasm (CPU)". */
  label: string;
  version: string;
  threads: number;
  /** True when the computation runs on a GPU (a software adapter counts as false). */
  gpu: boolean;
  /** GPU adapter description, when there is one. */
  adapter?: string;
  /** Why each better backend was not used. */
  skipped: { backend: string; reason: string }[];
}

/**
 * Representation diagnostics of one moment of a run, on a fixed seeded subset of the test split
 * (src/trainer/diagnostics/). NaN values travel as null.
 */
export interface Diagnostics {
  /** Completed epochs (0: before training); matches a checkpoint's epoch. */
  epoch: number;
  globalStep: number;
  /** Test images measured. */
  samples: number;
  /** Weighted kNN top-1 of encoder features (k = 200, T = 0.1), train subset as memory bank. */
  knnTop1: number;
  /** Mean squared distance of the normalised embeddings of two views of one image (Wang and Isola 2020). */
  alignment: number;
  /** The same over pairs of distinct images of one class; null when no class has two. */
  classAlignment: number | null;
  /** log mean exp(-2 ||u - v||^2) over distinct pairs: 0 is collapse, lower is more uniform. */
  uniformity: number;
  /** Mean per-dimension std of the normalised embeddings. */
  stdMean: number;
  /** Fraction of dimensions whose std is below 1e-3. */
  stdCollapsed: number;
  /** exp(entropy of the eigenvalues of the embeddings' second-moment matrix), 1 to dim (Roy and Vetterli 2007). */
  effectiveRank: number;
  /** Embedding size the collapse indicators are measured in. */
  dim: number;
  /** [class][class] mean cosine similarity (diagonal: within a class); null where a class has no pair. */
  classSimilarity: (number | null)[][];
  /** Wall-clock seconds the measurement took. */
  seconds: number;
}

/** The run and checkpoint a forked run continues from. */
export interface RunParent {
  runId: string;
  checkpoint: string;
  globalStep: number;
}

interface Base {
  /** Wall-clock time in ms since the epoch. */
  t: number;
}

export type TrainerEvent = Base &
  (
    | {
        type: 'started';
        runId: string;
        config: RunConfig;
        backend: BackendInfo;
        resumedFrom?: string;
        /** A new run continuing from a checkpoint of another, which stays as it was. */
        forkedFrom?: RunParent;
        trainSize: number;
        testSize: number;
        stepsPerEpoch: number;
      }
    | { type: 'step'; epoch: number; step: number; globalStep: number; loss: number; lr: number; imagesPerSec: number; posSim: number; negSim: number }
    | { type: 'epoch'; epoch: number; loss: number; lr: number; imagesPerSec: number; seconds: number }
    | { type: 'checkpoint'; name: string; epoch: number; globalStep: number; metric?: number }
    | { type: 'probeProgress'; epoch: number; epochs: number; loss: number; trainAcc: number; testAcc: number }
    | {
        type: 'probeResult';
        checkpoint: string;
        /** Global step of the probed checkpoint; absent in runs recorded before it was added. */
        globalStep?: number;
        top1: number;
        bestTop1: number;
        bestEpoch: number;
        epochs: number;
        /** The probe's learning rate and effective batch size; absent in older runs. */
        lr?: number;
        batchSize?: number;
      }
    | ({ type: 'diagnostics' } & Diagnostics)
    | { type: 'log'; level: 'info' | 'debug'; message: string }
    | { type: 'warning'; code: string; message: string; step?: number }
    | { type: 'finished'; state: 'completed' | 'stopped'; top1?: number }
    | { type: 'failed'; error: string; hint?: string; step?: number }
  );

export type TrainerEventType = TrainerEvent['type'];

/** Parent to trainer. */
export type TrainerCommand = { type: 'stop' };

const RUN_ID = /^\d{8}-\d{6}-[A-Za-z0-9_.-]+$/;

/** A run folder's name (see newRunId): one path component, no `..`. */
export function isRunId(id: unknown): id is string {
  return typeof id === 'string' && RUN_ID.test(id) && !id.includes('..');
}

const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const nullableNum = (v: unknown): boolean => v === null || num(v);
const optionalNum = (v: unknown): boolean => v === undefined || num(v);
const str = (v: unknown): v is string => typeof v === 'string';
const matrix = (v: unknown): boolean =>
  Array.isArray(v) && v.every((row) => Array.isArray(row) && row.length === v.length && row.every(nullableNum));
const obj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Field checks per event type; `loss` may be null (JSON has no NaN) when a step diverged. */
const shapes: Record<TrainerEventType, Record<string, (v: unknown) => boolean>> = {
  // a runId names a folder inside the runs directory, so a forged one must not point elsewhere
  started: { runId: isRunId, config: obj, backend: obj, trainSize: num, testSize: num, stepsPerEpoch: num },
  step: { epoch: num, step: num, globalStep: num, loss: nullableNum, lr: num, imagesPerSec: num, posSim: nullableNum, negSim: nullableNum },
  epoch: { epoch: num, loss: nullableNum, lr: num, imagesPerSec: num, seconds: num },
  checkpoint: { name: str, epoch: num, globalStep: num },
  probeProgress: { epoch: num, epochs: num, loss: nullableNum, trainAcc: num, testAcc: num },
  probeResult: { checkpoint: str, top1: num, bestTop1: num, bestEpoch: num, epochs: num, globalStep: optionalNum, lr: optionalNum, batchSize: optionalNum },
  diagnostics: {
    epoch: num, globalStep: num, samples: num, knnTop1: num, alignment: num, classAlignment: nullableNum, uniformity: num,
    stdMean: num, stdCollapsed: num, effectiveRank: num, dim: num, classSimilarity: matrix, seconds: num,
  },
  log: { level: (v) => v === 'info' || v === 'debug', message: str },
  warning: { code: str, message: str },
  finished: { state: (v) => v === 'completed' || v === 'stopped' },
  failed: { error: str },
};

/** Returns the event if `v` is a well-formed TrainerEvent, else undefined. */
export function parseEvent(v: unknown): TrainerEvent | undefined {
  if (!obj(v) || !str(v.type) || !num(v.t) || !Object.prototype.hasOwnProperty.call(shapes, v.type)) return undefined;
  const fields = shapes[v.type as TrainerEventType];
  for (const [k, ok] of Object.entries(fields)) if (!ok(v[k])) return undefined;
  return v as unknown as TrainerEvent;
}

/** Parses one metrics.jsonl line; a torn or foreign line gives undefined, never a throw. */
export function parseEventLine(line: string): TrainerEvent | undefined {
  try {
    return parseEvent(JSON.parse(line));
  } catch {
    return undefined;
  }
}

export function isTrainerCommand(v: unknown): v is TrainerCommand {
  return obj(v) && v.type === 'stop';
}
