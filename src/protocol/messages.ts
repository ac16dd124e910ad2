/**
 * The message contract between the trainer, the extension host and the
 * dashboard. The trainer sends TrainerEvents over Node IPC (when it has a
 * parent) and appends each one as a line of the run's metrics.jsonl; readers
 * of either path go through parseEvent, so nothing else defines a message.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Check } from '@sinclair/typebox/value';
import type { RunConfig } from './config';

/**
 * The environment variable by which a launcher (the extension) tells its
 * trainer where optional backend packages belong: a folder it adds to the
 * trainer's NODE_PATH, outside its own folder, which every update replaces.
 * The trainer's install hints then name `npm install --prefix <folder>`.
 */
export const INSTALL_PREFIX_ENV = 'SUPCON_INSTALL_PREFIX';

/** `queued`: submitted to a cluster scheduler, its job not started yet (see cluster.ts). */
export type RunState = 'queued' | 'running' | 'completed' | 'failed' | 'stopped' | 'interrupted';

/** A value computed in training that JSON writes as null when it is NaN (a diverged step, a class without pairs). */
const Measured = (options: { description?: string } = {}) => Type.Union([Type.Number(), Type.Null()], options);
const described = <T extends TSchema>(description: string, schema: T) => ({ ...schema, description }) as T;

/**
 * A run folder's name as readers accept it: one path component of letters,
 * digits, `_ . -` and no `..`. Run ids (newRunId) have this form; a run folder
 * the user renamed may too, and the dashboard still lists it.
 */
export const RunFolderName = Type.String({ pattern: '^(?!.*\\.\\.)[A-Za-z0-9_.-]{1,128}$' });
/** A run id as newRunId makes it (20261128-142501-supcon-fmnist-3fa2): a run folder name after its start time. */
export const RunId = Type.String({ pattern: '^(?!.*\\.\\.)\\d{8}-\\d{6}-[A-Za-z0-9_.-]+$' });

/** Whether `id` is a run id as newRunId makes it: one path component, no `..`. */
export function isRunId(id: unknown): id is string {
  return Check(RunId, id);
}

export const BackendInfoSchema = Type.Object({
  name: described('tfjs backend name actually running: tensorflow, webgpu, wasm, cpu.', Type.String()),
  label: described('What a person calls it: "GPU (CUDA, tfjs-node-gpu)", "WebGPU: NVIDIA ...", "wasm (CPU)".', Type.String()),
  version: Type.String(),
  threads: Type.Number(),
  gpu: described('True when the computation runs on a GPU (a software adapter counts as false).', Type.Boolean()),
  adapter: Type.Optional(described('GPU adapter description, when there is one.', Type.String())),
  skipped: described('Why each better backend was not used.', Type.Array(Type.Object({ backend: Type.String(), reason: Type.String() }))),
});
export type BackendInfo = Static<typeof BackendInfoSchema>;

/**
 * Representation diagnostics of one moment of a run, on a fixed seeded subset of the test split
 * (src/trainer/diagnostics/). NaN values travel as null.
 */
export const DiagnosticsSchema = Type.Object({
  epoch: described("Completed epochs (0: before training); matches a checkpoint's epoch.", Type.Number()),
  globalStep: Type.Number(),
  samples: described('Test images measured.', Type.Number()),
  knnTop1: described('Weighted kNN top-1 of encoder features (k = 200, T = 0.1), train subset as memory bank.', Type.Number()),
  alignment: described('Mean squared distance of the normalised embeddings of two views of one image (Wang and Isola 2020).', Type.Number()),
  classAlignment: Measured({ description: 'The same over pairs of distinct images of one class; null when no class has two.' }),
  uniformity: described('log mean exp(-2 ||u - v||^2) over distinct pairs: 0 is collapse, lower is more uniform.', Type.Number()),
  stdMean: described('Mean per-dimension std of the normalised embeddings.', Type.Number()),
  stdCollapsed: described('Fraction of dimensions whose std is below 1e-3.', Type.Number()),
  effectiveRank: described("exp(entropy of the eigenvalues of the embeddings' second-moment matrix), 1 to dim (Roy and Vetterli 2007).", Type.Number()),
  dim: described('Embedding size the collapse indicators are measured in.', Type.Number()),
  classSimilarity: described('[class][class] mean cosine similarity (diagonal: within a class); null where a class has no pair; square.', Type.Array(Type.Array(Measured()))),
  seconds: described('Wall-clock seconds the measurement took.', Type.Number()),
});
export type Diagnostics = Static<typeof DiagnosticsSchema>;

/** The run and checkpoint a forked run continues from. */
export const RunParentSchema = Type.Object({ runId: Type.String(), checkpoint: Type.String(), globalStep: Type.Number() });
export type RunParent = Static<typeof RunParentSchema>;

/** Wall-clock time in ms since the epoch, on every event. */
const t = Type.Number();
const event = <T extends string, P extends Record<string, TSchema>>(type: T, properties: P) => Type.Object({ type: Type.Literal(type), t, ...properties });

/**
 * Every event the trainer sends. Fields of number type are finite; those a
 * diverged step can make NaN are `number | null`. A started event's config is
 * checked as an object only: it was resolved by the trainer, possibly by an
 * older version with fewer fields.
 */
export const TrainerEventSchema = Type.Union([
  event('started', {
    runId: RunId,
    config: Type.Unsafe<RunConfig>(Type.Object({})),
    backend: BackendInfoSchema,
    resumedFrom: Type.Optional(Type.String()),
    forkedFrom: Type.Optional(described('A new run continuing from a checkpoint of another, which stays as it was.', RunParentSchema)),
    trainSize: Type.Number(),
    testSize: Type.Number(),
    stepsPerEpoch: Type.Number(),
  }),
  event('step', {
    epoch: Type.Number(),
    step: Type.Number(),
    globalStep: Type.Number(),
    loss: Measured(),
    lr: Type.Number(),
    imagesPerSec: Type.Number(),
    posSim: Measured(),
    negSim: Measured(),
  }),
  event('epoch', { epoch: Type.Number(), loss: Measured(), lr: Type.Number(), imagesPerSec: Type.Number(), seconds: Type.Number() }),
  event('checkpoint', { name: Type.String(), epoch: Type.Number(), globalStep: Type.Number(), metric: Type.Optional(Type.Number()) }),
  event('probeProgress', { epoch: Type.Number(), epochs: Type.Number(), loss: Measured(), trainAcc: Type.Number(), testAcc: Type.Number() }),
  event('probeResult', {
    checkpoint: Type.String(),
    globalStep: Type.Optional(described('Global step of the probed checkpoint; absent in runs recorded before it was added.', Type.Number())),
    top1: Type.Number(),
    bestTop1: Type.Number(),
    bestEpoch: Type.Number(),
    epochs: Type.Number(),
    lr: Type.Optional(described("The probe's learning rate; absent in older runs.", Type.Number())),
    batchSize: Type.Optional(described("The probe's effective batch size; absent in older runs.", Type.Number())),
  }),
  Type.Composite([Type.Object({ type: Type.Literal('diagnostics'), t }), DiagnosticsSchema]),
  event('phase', {
    phase: described(
      "A pass of the frozen model that no step or probe epoch counts: the representation monitor's, or the linear probe's features; it lasts until the next event other than a log.",
      Type.Union([Type.Literal('monitor'), Type.Literal('probeFeatures')]),
    ),
    images: described('Images the pass encodes.', Type.Number()),
  }),
  event('log', { level: Type.Union([Type.Literal('info'), Type.Literal('debug')]), message: Type.String() }),
  event('warning', { code: Type.String(), message: Type.String(), step: Type.Optional(Type.Number()) }),
  event('finished', { state: Type.Union([Type.Literal('completed'), Type.Literal('stopped')]), top1: Type.Optional(Type.Number()) }),
  event('failed', { error: Type.String(), hint: Type.Optional(Type.String()), step: Type.Optional(Type.Number()) }),
]);

export type TrainerEvent = Static<typeof TrainerEventSchema>;
export type TrainerEventType = TrainerEvent['type'];

/** Parent to trainer. */
export const TrainerCommandSchema = Type.Object({ type: Type.Literal('stop') });
export type TrainerCommand = Static<typeof TrainerCommandSchema>;

/** A square matrix: what no JSON Schema keyword says. */
const square = (m: unknown[][]) => m.every((row) => row.length === m.length);

/** Each event type's schema, so an event is checked against its own type only. */
const byType = new Map<unknown, TSchema>(TrainerEventSchema.anyOf.map((s) => [s.properties.type.const, s]));

/** Returns the event if `v` is a well-formed TrainerEvent, else undefined. */
export function parseEvent(v: unknown): TrainerEvent | undefined {
  const schema = typeof v === 'object' && v !== null ? byType.get((v as { type?: unknown }).type) : undefined;
  if (!schema || !Check(schema, v)) return undefined;
  const ev = v as TrainerEvent;
  return ev.type === 'diagnostics' && !square(ev.classSimilarity) ? undefined : ev;
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
  return Check(TrainerCommandSchema, v);
}
