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

export default async function (print: (line: string) => void): Promise<void> {
  const cases: [string, number, number][] = [
    ['convnet', 256, 3],
    ['resnet18', 32, 2],
  ];
  for (const [encoder, batch, steps] of cases) {
    print(`\n${encoder}, batch ${batch} x 2 views, median of ${steps} steps after 2 warm-up steps (cpu: 1 step)`);
    print('| backend | s/step | images/s | vs cpu | achieved GFLOP/s | matmul GFLOP/s | % of matmul |');
    print('|---|---|---|---|---|---|---|');
    let baseline: number | undefined;
    for (const backend of ['cpu', 'wasm', 'webgpu']) {
      // the cpu backend takes minutes per ResNet step: one step, no warm-up, is enough to see the ratio
      const row = backend === 'cpu' ? measure(backend, encoder, batch, 1, 0) : measure(backend, encoder, batch, steps, 2);
      if (row.error) {
        print(`| ${backend} | not available: ${row.error} | | | | | |`);
        continue;
      }
      baseline ??= row.imagesPerSec;
      print(
        `| ${row.backend} | ${row.seconds!.toFixed(3)} | ${row.imagesPerSec!.toFixed(1)} | ${(row.imagesPerSec! / baseline!).toFixed(1)}x | ${row.gflops!.toFixed(2)} | ${row.matmulGflops!.toFixed(1)} | ${((100 * row.gflops!) / row.matmulGflops!).toFixed(0)}% |`,
      );
    }
  }
}
