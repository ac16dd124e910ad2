/**
 * Training throughput of the real step (augment, forward, backward, SGD) on
 * each backend available here, as images/s and achieved GFLOP/s beside the
 * backend's own fp32 matmul rate. The plain cpu backend is the baseline.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

interface Row {
  backend?: string;
  seconds?: number;
  imagesPerSec?: number;
  gflops?: number;
  matmulGflops?: number;
  error?: string;
}

function measure(backend: string, encoder: string, batch: number, steps: number, warmup: number): Row {
  const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'trainWorker.ts'), backend, encoder, String(batch), String(steps), String(warmup)], {
    encoding: 'utf8',
    env: process.env,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return JSON.parse(out.trim().split('\n').at(-1)!) as Row;
}

interface Plan {
  batch: number;
  steps: number;
  warmup: number;
}

/**
 * Per backend: the plain cpu backend needs minutes for one full-size step, so
 * it runs a smaller batch (its images/s barely depend on the batch); the
 * software WebGPU adapter gets one warm-up step for its shader compiles.
 */
const CASES: { encoder: string; plans: Record<string, Plan> }[] = [
  { encoder: 'convnet', plans: { cpu: { batch: 16, steps: 1, warmup: 0 }, wasm: { batch: 256, steps: 3, warmup: 2 }, webgpu: { batch: 256, steps: 1, warmup: 1 } } },
  { encoder: 'resnet18', plans: { cpu: { batch: 2, steps: 1, warmup: 0 }, wasm: { batch: 32, steps: 2, warmup: 1 }, webgpu: { batch: 32, steps: 1, warmup: 1 } } },
];

export default async function (print: (line: string) => void): Promise<void> {
  for (const { encoder, plans } of CASES) {
    print(`\n${encoder}, 2 views, 28x28x1 inputs; median step after warm-up; vs cpu compares images/s`);
    print('| backend | batch | s/step | images/s | vs cpu | achieved GFLOP/s | matmul GFLOP/s | % of matmul |');
    print('|---|---|---|---|---|---|---|---|');
    let baseline: number | undefined;
    for (const [backend, plan] of Object.entries(plans)) {
      const row = measure(backend, encoder, plan.batch, plan.steps, plan.warmup);
      if (row.error) {
        print(`| ${backend} | | not available: ${row.error} | | | | | |`);
        continue;
      }
      baseline ??= row.imagesPerSec;
      print(
        `| ${row.backend} | ${plan.batch} | ${row.seconds!.toFixed(3)} | ${row.imagesPerSec!.toFixed(1)} | ${(row.imagesPerSec! / baseline!).toFixed(1)}x | ${row.gflops!.toFixed(2)} | ${row.matmulGflops!.toFixed(1)} | ${((100 * row.gflops!) / row.matmulGflops!).toFixed(0)}% |`,
      );
    }
  }
}
