/**
 * Training throughput of the real step (augment, forward, backward, SGD) on
 * each backend available here, as images/s and achieved GFLOP/s beside the
 * backend's own fp32 matmul rate. The plain cpu backend is the baseline; the
 * wasm backend runs on one thread and on every core (data-parallel workers).
 * When PyTorch imports, the same step in PyTorch on the same CPU (bench/torch_cpu_step.py)
 * is measured in the same run and the ratio printed; otherwise the machine's
 * fp32 GEMM rate (numpy) stands beside the product's figures.
 */
import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';

interface Row {
  backend?: string;
  seconds?: number;
  cpuSeconds?: number;
  imagesPerSec?: number;
  gflops?: number;
  matmulGflops?: number;
  error?: string;
}

function measure(backend: string, encoder: string, plan: Plan): Row {
  const args = [path.join(__dirname, 'trainWorker.ts'), backend, encoder, String(plan.batch), String(plan.steps), String(plan.warmup), String(plan.threads ?? 1)];
  const out = execFileSync(process.execPath, ['--import', 'tsx', ...args], { encoding: 'utf8', env: process.env, stdio: ['ignore', 'pipe', 'ignore'] });
  return JSON.parse(out.trim().split('\n').at(-1)!) as Row;
}

/** One JSON line from bench/torch_cpu_step.py, or undefined when python3 or torch (numpy for --gemm) is missing. */
function python(args: string[]): Record<string, number> | undefined {
  try {
    const out = execFileSync('python3', [path.join(__dirname, 'torch_cpu_step.py'), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, number>;
  } catch {
    return undefined;
  }
}

function hasTorch(): boolean {
  try {
    execFileSync('python3', ['-c', 'import torch'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

interface Plan {
  batch: number;
  steps: number;
  warmup: number;
  threads?: number;
}

const cores = os.availableParallelism();

/**
 * Per backend: the plain cpu backend needs minutes for one full-size step, so
 * it runs a smaller batch (its images/s barely depend on the batch); the
 * software WebGPU adapter gets one warm-up step for its shader compiles.
 */
const CASES: { encoder: string; batch: number; plans: [string, string, Plan][] }[] = [
  {
    encoder: 'convnet',
    batch: 256,
    plans: [
      ['cpu', 'cpu', { batch: 16, steps: 1, warmup: 0 }],
      ['wasm', 'wasm', { batch: 256, steps: 3, warmup: 2 }],
      ['wasm', `wasm-${cores}`, { batch: 256, steps: 3, warmup: 2, threads: cores }],
      ['webgpu', 'webgpu', { batch: 256, steps: 1, warmup: 1 }],
    ],
  },
  {
    encoder: 'resnet18',
    batch: 32,
    plans: [
      ['cpu', 'cpu', { batch: 2, steps: 1, warmup: 0 }],
      ['wasm', 'wasm', { batch: 32, steps: 2, warmup: 1 }],
      ['wasm', `wasm-${cores}`, { batch: 32, steps: 2, warmup: 1, threads: cores }],
      ['webgpu', 'webgpu', { batch: 32, steps: 1, warmup: 1 }],
    ],
  },
];

export default async function (print: (line: string) => void): Promise<void> {
  const torch = hasTorch();
  const gemm = python(['--gemm'])?.gemmGflops;
  for (const { encoder, batch, plans } of CASES) {
    print(`\n${encoder}, 2 views, 28x28x1 inputs; median step after warm-up; vs cpu compares images/s; CPU s/step counts every thread`);
    print('| backend | batch | s/step | CPU s/step | images/s | vs cpu | achieved GFLOP/s | matmul GFLOP/s | % of matmul |');
    print('|---|---|---|---|---|---|---|---|---|');
    let baseline: number | undefined;
    let product: Row | undefined;
    let single: Row | undefined;
    for (const [backend, label, plan] of plans) {
      if (plan.threads === 1) continue; // a one-core machine: the single-thread row is the product
      const row = measure(backend, encoder, plan);
      if (row.error) {
        print(`| ${label} | | not available: ${row.error} | | | | | | |`);
        continue;
      }
      baseline ??= row.imagesPerSec;
      if (backend === 'wasm' && !plan.threads) single = row;
      if (backend === 'wasm' && (plan.threads ?? 1) === cores) product = row;
      print(
        `| ${row.backend} | ${plan.batch} | ${row.seconds!.toFixed(3)} | ${row.cpuSeconds!.toFixed(2)} | ${row.imagesPerSec!.toFixed(1)} | ${(row.imagesPerSec! / baseline!).toFixed(1)}x | ${row.gflops!.toFixed(2)} | ${row.matmulGflops!.toFixed(1)} | ${((100 * row.gflops!) / row.matmulGflops!).toFixed(0)}% |`,
      );
    }
    if (!product) continue;
    if (single && product !== single) print(`\nwasm on ${cores} cores vs 1 thread: ${(product.imagesPerSec! / single.imagesPerSec!).toFixed(2)}x images/s`);
    if (torch) {
      const all = python([encoder, String(batch), '--steps', '3', '--warmup', '1']);
      const one = python([encoder, String(batch), '--steps', '3', '--warmup', '1', '--threads', '1']);
      for (const t of [all, one]) {
        if (t) print(`PyTorch on the CPU, ${t.threads} thread${t.threads === 1 ? '' : 's'}, batch ${batch}: ${t.seconds.toFixed(3)} s/step, ${t.imagesPerSec.toFixed(1)} images/s`);
      }
      if (all) print(`**PyTorch / SupCon Lab (${product.backend}): ${(all.imagesPerSec / product.imagesPerSec!).toFixed(2)}x** (goal: at most ${encoder === 'convnet' ? 2 : 3}x)`);
    }
    if (gemm) {
      print(
        `The machine's fp32 GEMM rate (numpy, 2048^3): ${gemm.toFixed(1)} GFLOP/s; ${product.backend} reaches ${product.gflops!.toFixed(2)} GFLOP/s, **${((100 * product.gflops!) / gemm).toFixed(0)}%** of it (goal: at least 35%)`,
      );
    } else if (!torch) {
      print('PyTorch and numpy not installed: no reference on this machine');
    }
  }
}
