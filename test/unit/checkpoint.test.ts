import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '../../src/trainer/backend/tf';
import { CheckpointError, loadCheckpoint, restoreVariables, saveCheckpoint } from '../../src/trainer/io/checkpoint';
import { listCheckpoints } from '../../src/protocol/runFolder';

const position = { epoch: 2, stepInEpoch: 3, globalStep: 17, rngState: 12345 };

async function fixture() {
  await tf.setBackend('cpu');
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ckpt-'));
  const vars = new Map<string, tf.Variable>([
    [
      'a',
      tf.variable(
        tf.tensor2d([
          [1, 2],
          [3, 4],
        ]),
      ),
    ],
    ['b', tf.variable(tf.tensor1d([5, 6, 7]))],
  ]);
  return { runDir, vars };
}

test('a checkpoint round-trips weights and training position', async () => {
  const { runDir, vars } = await fixture();
  await saveCheckpoint(runDir, 'last', vars, position, 0.5);
  const dir = path.join(runDir, 'checkpoints', 'last');
  const loaded = loadCheckpoint(dir);
  assert.equal(loaded.manifest.globalStep, 17);
  assert.equal(loaded.manifest.rngState, 12345);
  const fresh = new Map([...vars].map(([k, v]) => [k, tf.variable(tf.zerosLike(v))]));
  restoreVariables(loaded, fresh, dir);
  assert.deepEqual(Array.from(await fresh.get('a')!.data()), [1, 2, 3, 4]);
  assert.deepEqual(Array.from(await fresh.get('b')!.data()), [5, 6, 7]);
  assert.deepEqual(
    listCheckpoints(runDir).map((c) => [c.name, c.epoch, c.metric]),
    [['last', 2, 0.5]],
  );
});

test('saving again replaces the checkpoint and leaves no temporary folders', async () => {
  const { runDir, vars } = await fixture();
  await saveCheckpoint(runDir, 'last', vars, position);
  await saveCheckpoint(runDir, 'last', vars, { ...position, globalStep: 18 });
  assert.deepEqual(fs.readdirSync(path.join(runDir, 'checkpoints')), ['last']);
  assert.equal(loadCheckpoint(path.join(runDir, 'checkpoints', 'last')).manifest.globalStep, 18);
});

test('truncated, corrupt or foreign checkpoints are refused with the file named', async () => {
  const { runDir, vars } = await fixture();
  await saveCheckpoint(runDir, 'last', vars, position);
  const dir = path.join(runDir, 'checkpoints', 'last');
  const weights = path.join(dir, 'weights.bin');
  const bytes = fs.readFileSync(weights);
  fs.writeFileSync(weights, bytes.subarray(0, 8));
  assert.throws(
    () => loadCheckpoint(dir),
    (e: unknown) => e instanceof CheckpointError && /weights.bin: 8 bytes, manifest says 28/.test(e.message),
  );
  const flipped = Buffer.from(bytes);
  flipped[0] ^= 1;
  fs.writeFileSync(weights, flipped);
  assert.throws(() => loadCheckpoint(dir), /checksum mismatch/);
  fs.writeFileSync(weights, bytes);
  const wrongShape = new Map<string, tf.Variable>([
    ['a', tf.variable(tf.zeros([3, 3]))],
    ['b', vars.get('b')!],
  ]);
  assert.throws(() => restoreVariables(loadCheckpoint(dir), wrongShape, dir), /tensor "a" has shape \[2,2\], the model expects \[3,3\]/);
  assert.throws(() => restoreVariables(loadCheckpoint(dir), new Map([['c', vars.get('b')!]]), dir), /has no tensor "c"/);
  assert.throws(() => loadCheckpoint(runDir), /not a checkpoint/);
});
