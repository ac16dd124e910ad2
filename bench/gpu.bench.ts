/**
 * The GPU profile of the training step (bench/gpuProfile.ts) on the WebGPU
 * adapter found here: on a real GPU each kernel's GPU time, the top kernels
 * and dispatches and readbacks per step; on a software adapter the counts
 * only. bench/gpu.sh runs the same on a GPU machine beside PyTorch.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const CASES: [encoder: string, batch: number][] = [
  ['convnet', 64],
  ['resnet18', 8],
];

export default async function (print: (line: string) => void): Promise<void> {
  for (const [encoder, batch] of CASES) {
    const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'gpuProfile.ts'), encoder, String(batch)], {
      encoding: 'utf8',
      env: process.env,
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 900_000,
    });
    for (const line of out.trim().split('\n').slice(0, -1)) print(line);
  }
}
