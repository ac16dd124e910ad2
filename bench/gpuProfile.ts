/**
 * The GPU profile of one training step, in its own process:
 * `tsx bench/gpuProfile.ts ENCODER BATCH [VIEWS]` on the WebGPU backend.
 * Counts the compute dispatches, the bytes read back to the CPU and the CPU
 * time spent issuing the step (graph building, shader dispatch) per step,
 * and, where the adapter has timestamp queries (a real GPU; Dawn's unsafe
 * APIs on), each kernel's GPU time from tf.profile: the top kernels by time.
 * Prints a table, then one JSON line.
 */
import * as tf from '../src/trainer/backend/tf';
import { resolveConfig } from '../src/protocol/config';
import { initBackend, releaseBackend } from '../src/trainer/backend/init';
import { buildModel, disposeModel, trainStep } from '../src/trainer/pretrain';
import { Rng } from '../src/trainer/rng';

process.env.SUPCON_WEBGPU_TIMESTAMPS = '1';
const [encoder = 'convnet', batchArg = '256', viewsArg = '2'] = process.argv.slice(2);
const batch = Number(batchArg);
const views = Number(viewsArg);
const side = 28;

interface Counted {
  runWebGPUProgram: (...args: unknown[]) => unknown;
  getBufferData: (buffer: { size: number }) => Promise<unknown>;
}

async function main(): Promise<void> {
  const info = await initBackend('webgpu');
  const backend = tf.backend() as unknown as Counted;
  const counts = { dispatches: 0, readbacks: 0, bytesRead: 0 };
  const run = backend.runWebGPUProgram.bind(backend);
  backend.runWebGPUProgram = (...args) => {
    counts.dispatches++;
    return run(...args);
  };
  const read = backend.getBufferData.bind(backend);
  backend.getBufferData = (buffer) => {
    counts.readbacks++;
    counts.bytesRead += buffer.size;
    return read(buffer);
  };

  const config = resolveConfig({ encoder, batchSize: batch, views });
  const dataset = { name: 'bench', classes: [...'0123456789'], height: side, width: side, channels: 1 as const, mean: [0.5], std: [0.25] };
  const model = buildModel(config, dataset);
  const rng = new Rng(1);
  const x = tf.tensor4d(
    Float32Array.from({ length: batch * views * side * side }, () => rng.next() * 2 - 1),
    [batch * views, side, side, 1],
  );
  const labels = Int32Array.from({ length: batch }, (_, i) => i % 10);
  let issueMs = 0;
  const step = async () => {
    const t = performance.now();
    const r = trainStep(model, config, x, labels, 0.01);
    issueMs += performance.now() - t;
    await r.loss.data();
    tf.dispose([r.loss, r.posSim, r.negSim]);
  };
  for (let i = 0; i < 3; i++) await step(); // shader compiles

  Object.assign(counts, { dispatches: 0, readbacks: 0, bytesRead: 0 });
  issueMs = 0;
  const steps = 5;
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) await step();
  const seconds = (performance.now() - t0) / 1000 / steps;
  const perStep = { dispatches: counts.dispatches / steps, readbacks: counts.readbacks / steps, bytesRead: counts.bytesRead / steps, issueMs: issueMs / steps };

  const profile = await tf.profile(() => {
    const r = trainStep(model, config, x, labels, 0.01);
    return [r.loss, r.posSim, r.negSim];
  });
  const byKernel = new Map<string, { ms: number; calls: number }>();
  let timed = 0;
  for (const k of profile.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    timed += ms;
    const key = `${k.name} ${k.inputShapes.map((s) => `[${(s ?? []).join(',')}]`).join(' ')}`;
    const entry = byKernel.get(key) ?? { ms: 0, calls: 0 };
    entry.ms += ms;
    entry.calls++;
    byKernel.set(key, entry);
  }
  const byName = new Map<string, number>();
  for (const [key, v] of byKernel) byName.set(key.split(' ')[0], (byName.get(key.split(' ')[0]) ?? 0) + v.ms);
  const top = [...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15);

  console.log(`${encoder}, batch ${batch} x ${views} views on ${info.label}`);
  console.log(
    `step ${(seconds * 1000).toFixed(1)} ms (${(batch / seconds).toFixed(0)} images/s), of which ${perStep.issueMs.toFixed(1)} ms on the CPU issuing it; ${perStep.dispatches} dispatches, ${perStep.readbacks} readbacks (${perStep.bytesRead} bytes) per step`,
  );
  if (timed > 0) {
    console.log(`GPU kernel time in one profiled step: ${timed.toFixed(1)} ms over ${profile.kernels.length} kernels`);
    console.log('| kernel (by op) | GPU ms | share |');
    console.log('|---|---|---|');
    for (const [name, ms] of [...byName].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`| ${name} | ${ms.toFixed(2)} | ${((100 * ms) / timed).toFixed(1)}% |`);
    console.log('| kernel, input shapes | calls | GPU ms | share |');
    console.log('|---|---|---|---|');
    for (const [key, v] of top) console.log(`| ${key} | ${v.calls} | ${v.ms.toFixed(2)} | ${((100 * v.ms) / timed).toFixed(1)}% |`);
  } else {
    console.log('no kernel times: this adapter has no timestamp queries (a software adapter); dispatch and readback counts only');
  }
  console.log(
    JSON.stringify({
      encoder,
      batch,
      views,
      backend: info.label,
      seconds,
      imagesPerSec: batch / seconds,
      ...perStep,
      gpuMs: timed,
      kernels: profile.kernels.length,
      top: top.map(([k, v]) => ({ kernel: k, ...v })),
    }),
  );
  tf.dispose(x);
  disposeModel(model);
  await releaseBackend();
}

main().catch((e) => {
  console.log(JSON.stringify({ error: (e as Error).message }));
  process.exit(0);
});
