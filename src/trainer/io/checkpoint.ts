/**
 * Checkpoints: checkpoints/<name>/weights.bin (float32 tensors back to back)
 * and manifest.json (positions, shapes, training position, RNG state, and the
 * size and SHA-256 of weights.bin). The folder is written under a temporary
 * name and renamed into place, so `<name>` is always a complete checkpoint;
 * the manifest's checksum is verified on load.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '../backend/tf';
import { listCheckpoints, parseCheckpointDir, readJson, runFiles } from '../../protocol/runFolder';
import { removeQuietly, writeFileAtomic } from '../../protocol/atomicFile';

export interface TrainingPosition {
  epoch: number;
  /** Steps already taken inside `epoch` (0 when the epoch is complete). */
  stepInEpoch: number;
  globalStep: number;
  rngState: number;
}

interface TensorEntry {
  name: string;
  shape: number[];
  offset: number;
}

export interface Manifest extends TrainingPosition {
  format: 1;
  savedAt: number;
  metric?: number;
  tensors: TensorEntry[];
  weights: { size: number; sha256: string };
}

export class CheckpointError extends Error {}

const sha256 = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');

function fsyncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
  } catch {
    // not every platform can fsync a directory
  }
}

export async function saveCheckpoint(runDir: string, name: string, variables: Map<string, tf.Variable>, position: TrainingPosition, metric?: number): Promise<Manifest> {
  const tensors: TensorEntry[] = [];
  const parts: Float32Array[] = [];
  let offset = 0;
  for (const [tensorName, v] of variables) {
    const data = (await v.data()) as Float32Array;
    // a diverged model must not replace the last good checkpoint
    if (!data.every(Number.isFinite))
      throw new CheckpointError(`checkpoint "${name}" not saved: tensor "${tensorName}" holds NaN or infinite values (training diverged); the previous one is kept`);
    tensors.push({ name: tensorName, shape: v.shape, offset });
    parts.push(data);
    offset += data.byteLength;
  }
  const weights = new Uint8Array(offset);
  parts.forEach((p, i) => weights.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), tensors[i].offset));
  const manifest: Manifest = { format: 1, ...position, savedAt: Date.now(), metric, tensors, weights: { size: weights.length, sha256: sha256(weights) } };

  const root = runFiles(runDir).checkpoints;
  const suffix = `${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
  const tmp = path.join(root, `${name}.tmp-${suffix}`);
  const final = path.join(root, name);
  const old = path.join(root, `${name}.old-${suffix}`);
  let hadOld: boolean;
  try {
    fs.mkdirSync(root, { recursive: true });
    fs.mkdirSync(tmp);
    writeFileAtomic(path.join(tmp, 'weights.bin'), weights);
    writeFileAtomic(path.join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 1));
    fsyncDir(tmp);
    hadOld = fs.existsSync(final);
    if (hadOld) fs.renameSync(final, old);
    fs.renameSync(tmp, final);
    fsyncDir(root);
  } catch (e) {
    removeQuietly(tmp);
    throw Object.assign(new Error(`checkpoint "${name}" not saved: ${(e as Error).message}`), { code: (e as NodeJS.ErrnoException).code });
  }
  // saved: a retired copy that cannot be removed now is tidied by the next resume
  if (hadOld) removeQuietly(old);
  return manifest;
}

/**
 * Tidies what a killed writer left: a complete copy standing in for a missing
 * checkpoint (see listCheckpoints) takes its name, and every other temporary
 * or retired copy goes. Only for the run's one writer, before it saves.
 */
export function repairCheckpoints(runDir: string): void {
  const root = runFiles(runDir).checkpoints;
  for (const c of listCheckpoints(runDir)) {
    if (path.basename(c.dir) !== c.name) fs.renameSync(c.dir, path.join(root, c.name));
  }
  for (const entry of fs.existsSync(root) ? fs.readdirSync(root) : []) {
    if (parseCheckpointDir(entry)?.copy) fs.rmSync(path.join(root, entry), { recursive: true, force: true });
  }
}

export interface LoadedCheckpoint {
  manifest: Manifest;
  tensors: Map<string, { shape: number[]; data: Float32Array }>;
}

export function loadCheckpoint(dir: string): LoadedCheckpoint {
  const manifestFile = path.join(dir, 'manifest.json');
  if (!fs.existsSync(manifestFile)) throw new CheckpointError(`${dir}: not a checkpoint (no manifest.json)`);
  const manifest = readJson(manifestFile) as Manifest;
  if (manifest.format !== 1 || !Array.isArray(manifest.tensors) || !manifest.weights) {
    throw new CheckpointError(`${manifestFile}: unknown checkpoint format`);
  }
  const weightsFile = path.join(dir, 'weights.bin');
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(weightsFile);
  } catch {
    throw new CheckpointError(`${weightsFile}: missing`);
  }
  if (bytes.length !== manifest.weights.size) {
    throw new CheckpointError(`${weightsFile}: ${bytes.length} bytes, manifest says ${manifest.weights.size} (truncated or replaced)`);
  }
  if (sha256(bytes) !== manifest.weights.sha256) throw new CheckpointError(`${weightsFile}: checksum mismatch (corrupt)`);
  const aligned = new Uint8Array(bytes).buffer; // Float32Array views need 4-byte alignment
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const t of manifest.tensors) {
    const size = t.shape.reduce((a, b) => a * b, 1);
    tensors.set(t.name, { shape: t.shape, data: new Float32Array(aligned, t.offset, size) });
  }
  return { manifest, tensors };
}

/** Copies checkpoint tensors into variables with the same names; every variable must be present with its shape. */
export function restoreVariables(loaded: LoadedCheckpoint, variables: Map<string, tf.Variable>, dir: string): void {
  for (const [name, v] of variables) {
    const t = loaded.tensors.get(name);
    if (!t) throw new CheckpointError(`${dir}: has no tensor "${name}" (was it saved by a different encoder or method?)`);
    if (t.shape.join('x') !== v.shape.join('x')) {
      throw new CheckpointError(`${dir}: tensor "${name}" has shape [${t.shape}], the model expects [${v.shape}]`);
    }
    tf.tidy(() => v.assign(tf.tensor(t.data, t.shape)));
  }
}
