// Data-parallel training over worker threads against the single-thread step.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { resolveConfig, type RunConfig } from '../../src/protocol/config';
import { initBackend } from '../../src/trainer/backend/init';
import { Collective, CHUNK, createCollectiveBuffers } from '../../src/trainer/parallel/collective';
import { TrainingPool, WorkerFailure } from '../../src/trainer/parallel/pool';
import { encodeHere } from '../../src/trainer/models';
import { buildModel, disposeModel, modelVariables, trainStep } from '../../src/trainer/pretrain';
import { values } from '../fixtures/values';

const shape = { height: 12, width: 12, channels: 1 as const, classes: [...'0123'] };

/** The inputs of step k: views*B images and B labels. */
function batchOf(config: RunConfig, k: number): { x: Float32Array; labels: Int32Array } {
  const x = values(config.batchSize * config.views * shape.height * shape.width, 100 + k);
  const labels = Int32Array.from({ length: config.batchSize }, (_, i) => (i * 7 + k) % shape.classes.length);
  return { x, labels };
}

const LR = [0.05, 0.04, 0.03];

/** Losses of 3 single-thread steps, and every variable after them. */
function singleThread(config: RunConfig): { losses: number[]; state: Float32Array[] } {
  const model = buildModel(config, shape);
  const losses = LR.map((lr, k) => {
    const { x, labels } = batchOf(config, k);
    const r = trainStep(model, config, tf.tensor4d(x, [x.length / 144, 12, 12, 1]), labels, lr);
    const loss = r.loss.dataSync()[0];
    tf.dispose([r.loss, r.posSim, r.negSim]);
    return loss;
  });
  const state = [...modelVariables(model).values()].map((v) => v.dataSync() as Float32Array);
  disposeModel(model);
  return { losses, state };
}

function worstRelative(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale === 0 ? diff : diff / scale;
}

describe('data-parallel training', () => {
  before(async () => {
    await initBackend('wasm');
  });

  for (const [method, threads, batchSize] of [
    ['supcon', 2, 16],
    ['ce', 3, 10],
  ] as const) {
    it(`${method} on ${threads} workers equals the single-thread step after 3 steps, up to summation order`, async () => {
      const config = resolveConfig({ method, batchSize, encoder: 'convnet', threads });
      const reference = singleThread(config);
      const model = buildModel(config, shape);
      const variables = [...modelVariables(model).values()];
      const pool = await TrainingPool.start({ threads, config, shape, batch: batchSize, variables, globalStep: 0 });
      try {
        assert.equal(pool.threads, threads);
        for (let k = 0; k < LR.length; k++) {
          const { x, labels } = batchOf(config, k);
          pool.input.set(x);
          pool.labels.set(labels);
          const stats = await pool.step(LR[k], k);
          assert.ok(Math.abs(stats.loss - reference.losses[k]) < 1e-4 * Math.abs(reference.losses[k]), `step ${k}: loss ${stats.loss} vs ${reference.losses[k]}`);
        }
        assert.equal(pool.snapshotStep(), 3);
        pool.readSnapshot(variables);
        const names = [...modelVariables(model).keys()];
        variables.forEach((v, i) => {
          const err = worstRelative(v.dataSync() as Float32Array, reference.state[i]);
          assert.ok(err < 2e-4, `${names[i]}: relative error ${err}`);
        });
        // the step changed the weights: equality is not the trivial kind
        assert.ok(worstRelative(reference.state[0], buildModelState(config)[0]) > 1e-3);
      } finally {
        await pool.close();
        disposeModel(model);
      }
    });
  }

  it('encode shares the frozen forward pass among the workers: the rows of the single-thread pass', async () => {
    const config = resolveConfig({ batchSize: 8, threads: 3 });
    const model = buildModel(config, shape);
    const variables = [...modelVariables(model).values()];
    const pool = await TrainingPool.start({ threads: 3, config, shape, batch: 8, variables, globalStep: 0 });
    try {
      // a step moves the weights and batch norm's running statistics away from their initial values
      const { x, labels } = batchOf(config, 0);
      pool.input.set(x);
      pool.labels.set(labels);
      await pool.step(0.05, 0);
      pool.readSnapshot(variables);
      const here = encodeHere(model, shape);
      // 7 rows: shares of 2, 2 and 3; 1 row: two workers with nothing to do
      for (const count of [7, 1]) {
        for (const projection of [false, true]) {
          const pixels = values(count * 144, 200 + count);
          const width = projection ? model.head.dim : model.encoder.dim;
          const rows = await pool.encode(pixels, count, projection, width);
          const expected = await here(pixels, count, projection);
          assert.deepEqual(expected.shape, [count, width]);
          const err = worstRelative(rows, expected.dataSync() as Float32Array);
          expected.dispose();
          assert.ok(err < 1e-6, `${count} rows, projection ${projection}: relative error ${err}`);
        }
      }
    } finally {
      await pool.close();
      disposeModel(model);
    }
  });

  it('a worker that dies fails the step with its name, and the others do not hang', async () => {
    const config = resolveConfig({ batchSize: 8, threads: 2 });
    const model = buildModel(config, shape);
    const variables = [...modelVariables(model).values()];
    process.env.SUPCON_TEST_WORKER_EXIT = '1:1';
    const pool = await TrainingPool.start({ threads: 2, config, shape, batch: 8, variables, globalStep: 0 });
    delete process.env.SUPCON_TEST_WORKER_EXIT;
    try {
      const { x, labels } = batchOf(config, 0);
      pool.input.set(x);
      pool.labels.set(labels);
      await pool.step(0.05, 0);
      await assert.rejects(pool.step(0.05, 1), (e: Error) => e instanceof WorkerFailure && /^training worker 2 of 2 exited unexpectedly \(exit code 3\)$/.test(e.message));
      await assert.rejects(pool.step(0.05, 1), WorkerFailure);
      await pool.close();
      assert.equal(pool.snapshotStep(), 1, 'the snapshot holds the last whole step');
    } finally {
      await pool.close();
      disposeModel(model);
    }
  });
});

function buildModelState(config: RunConfig): Float32Array[] {
  const model = buildModel(config, shape);
  const state = [...modelVariables(model).values()].map((v) => v.dataSync() as Float32Array);
  disposeModel(model);
  return state;
}

describe('collectives', () => {
  it('sum and gather move vectors longer than one round of shared memory', () => {
    const group = new Collective(createCollectiveBuffers(1), 0, 1);
    const v = values(CHUNK * 2 + 12345, 3);
    assert.deepEqual(group.sum(v), v);
    const g = group.gather(v);
    assert.equal(g.offset, 0);
    assert.deepEqual(g.values, v);
    assert.deepEqual(group.sum(new Float32Array(0)), new Float32Array(0));
  });
});
