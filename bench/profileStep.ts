/**
 * Where one training step's time goes on a CPU backend: per-kernel times from
 * tf.profile (wall-clock per kernel; nested kernels, such as those a gradient
 * kernel calls, are counted in their parent too), by kernel name and the
 * largest single calls. `tsx bench/profileStep.ts [wasm|cpu] [convnet|resnet18] [batch]`.
 * The GPU's counterpart is bench/gpuProfile.ts.
 */
import * as tf from '../src/trainer/backend/tf';
import type { Dataset } from '../src/trainer/data/dataset';
import { resolveConfig, type BackendChoice } from '../src/protocol/config';
import { initBackend } from '../src/trainer/backend/init';
import { buildModel, trainStep } from '../src/trainer/pretrain';

const [backendName = 'wasm', encoder = 'convnet', batchArg = '256'] = process.argv.slice(2);
const batch = Number(batchArg);
async function main() {
  await initBackend(backendName as BackendChoice, 1);
  const side = 28;
  const none = { images: new Uint8Array(0), labels: new Int32Array(0), count: 0 };
  const dataset: Dataset = { name: 'bench', classes: [...'0123456789'], height: side, width: side, channels: 1, mean: [0.5], std: [0.25], train: none, test: none };
  const config = resolveConfig({ encoder, batchSize: batch });
  const model = buildModel(config, dataset);
  const labels = Int32Array.from({ length: batch }, (_, i) => i % 10);
  const x = tf.randomUniform([batch * 2, side, side, 1]) as tf.Tensor4D;
  for (let i = 0; i < 2; i++) {
    const r = trainStep(model, config, x, labels, 0.01);
    await r.loss.data();
    tf.dispose([r.loss, r.posSim, r.negSim]);
  }
  const t0 = performance.now();
  const info = await tf.profile(async () => {
    const r = trainStep(model, config, x, labels, 0.01);
    await r.loss.data();
    tf.dispose([r.loss, r.posSim, r.negSim]);
  });
  const total = performance.now() - t0;
  const by = new Map<string, { ms: number; n: number }>();
  const rows: [number, string][] = [];
  for (const k of info.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    const e = by.get(k.name) ?? { ms: 0, n: 0 };
    e.ms += ms;
    e.n++;
    by.set(k.name, e);
    rows.push([ms, `${k.name} ${JSON.stringify(k.inputShapes)} -> ${JSON.stringify(k.outputShapes)}`]);
  }
  const sum = [...by.values()].reduce((a, b) => a + b.ms, 0);
  console.log(`step wall ${total.toFixed(0)} ms, kernel sum ${sum.toFixed(0)} ms, ${info.kernels.length} kernels`);
  for (const [name, e] of [...by].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25)) console.log(`${e.ms.toFixed(1).padStart(8)} ms ${String(e.n).padStart(4)}x ${name}`);
  console.log('--- top kernels');
  for (const [ms, s] of rows.sort((a, b) => b[0] - a[0]).slice(0, 30)) console.log(`${ms.toFixed(1).padStart(8)} ${s}`);
}
main();
