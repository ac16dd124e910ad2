/**
 * One data-parallel replica, in its own worker thread with its own wasm
 * instance: it holds a copy of the model, runs forward and backward on its
 * slice of each batch (read from shared memory), joins the collectives of the
 * step, and applies the same SGD update as every other replica. Rank 0 also
 * copies the model into the shared snapshot after each step. Messages: see
 * pool.ts.
 */
import * as tf from '../backend/tf';
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend } from '../backend/init';
import { buildModel, modelVariables, trainStep } from '../pretrain';
import { abortCollective, Collective, CollectiveAborted, SNAPSHOT_STEP } from './collective';
import { readState, writeState, type ReplicaSetup, type ToWorker, type FromWorker } from './protocol';

const setup = workerData as ReplicaSetup;
const port = parentPort!;
const send = (m: FromWorker) => port.postMessage(m);

async function main(): Promise<void> {
  await initBackend('wasm');
  const model = buildModel(setup.config, setup.shape);
  const variables = [...modelVariables(model).values()];
  readState(setup.state, variables);
  const group = new Collective(setup.collective, setup.rank, setup.ranks);
  const control = new Int32Array(setup.collective.control);
  const { height, width, channels } = setup.shape;
  const pixels = height * width * channels;
  const [from, to] = setup.rows;
  const input = new Float32Array(setup.input);
  const labels = new Int32Array(setup.labels);
  const exitAt = faultStep();

  port.on('message', (m: ToWorker) => {
    if (exitAt === m.globalStep) process.exit(3);
    try {
      const result = tf.tidy(() => {
        const x = tf.tensor4d(input.subarray(from * pixels, to * pixels), [to - from, height, width, channels]);
        const r = trainStep(model, setup.config, x, labels.slice(), m.lr, group);
        return [r.loss, r.posSim, r.negSim].map((t) => t.dataSync()[0]);
      });
      if (setup.rank === 0) {
        Atomics.store(control, SNAPSHOT_STEP, -1);
        writeState(setup.state, variables);
        Atomics.store(control, SNAPSHOT_STEP, m.globalStep + 1);
      }
      send({ type: 'done', loss: result[0], posSim: result[1], negSim: result[2] });
    } catch (e) {
      if (e instanceof CollectiveAborted) return send({ type: 'aborted' });
      abortCollective(setup.collective);
      send({ type: 'error', message: e instanceof Error ? e.message : String(e) });
    }
  });
  send({ type: 'ready' });
}

/**
 * Fault injection for the test suite: SUPCON_TEST_WORKER_EXIT="rank:globalStep"
 * makes that replica's thread exit as the step starts, while the others wait for it.
 */
function faultStep(): number | undefined {
  const spec = process.env.SUPCON_TEST_WORKER_EXIT?.split(':').map(Number);
  return spec && spec[0] === setup.rank ? spec[1] : undefined;
}

main().catch((e) => {
  abortCollective(setup.collective);
  send({ type: 'error', message: e instanceof Error ? e.message : String(e) });
});
