/**
 * One data-parallel replica, in its own worker thread with its own wasm
 * instance: it holds a copy of the model, runs forward and backward on its
 * slice of each batch (read from shared memory), joins the collectives of the
 * step, and applies the same SGD update as every other replica. Rank 0 also
 * copies the model into the shared snapshot after each step. Between steps it
 * encodes its share of frozen forward passes (monitor, linear probe).
 * Messages: see protocol.ts.
 */
import * as tf from '../backend/tf';
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend } from '../backend/init';
import { buildModel, modelVariables, trainStep } from '../pretrain';
import { abortCollective, Collective, CollectiveAborted, SNAPSHOT_STEP } from './collective';
import { readState, shareOf, writeState, type ReplicaSetup, type ToWorker, type FromWorker } from './protocol';

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

  /** Encoder features or head outputs of this replica's share of the images. */
  const encode = (m: Extract<ToWorker, { type: 'encode' }>) => {
    const [a, b] = shareOf(m.count, setup.rank, setup.ranks);
    if (b > a)
      tf.tidy(() => {
        const x = tf.tensor4d(new Float32Array(m.input, 4 * a * pixels, (b - a) * pixels), [b - a, height, width, channels]);
        const h = model.encoder.forward(x, false);
        const out = m.projection ? model.head.forward(h) : h;
        new Float32Array(m.output).set(out.dataSync(), a * out.shape[1]);
      });
    send({ type: 'encoded' });
  };

  /** One training step on this replica's rows of the batch. */
  const step = (m: Extract<ToWorker, { type: 'step' }>) => {
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
  };

  port.on('message', (m: ToWorker) => {
    if (m.type === 'step' && exitAt === m.globalStep) process.exit(3);
    try {
      if (m.type === 'step') step(m);
      else encode(m);
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
