/**
 * The ops layer: per-backend kernels and fast paths, chosen once when a
 * backend starts. The maths (losses.ts, models.ts) calls the plain
 * definitions unless the backend in use provides a fast path for them.
 */
import { setFastOps, type FastOps } from './active';
import { batchNormBySums, kernelsFromColumnSums } from './batchNormBySums';
import { batchNormKernelsWasm } from './wasm/batchNorm';
import { registerWasmKernels } from './wasm/kernels';
import { supConLossWasm } from './wasm/supCon';
import { columnSumsWebGpu } from './webgpu/columnSums';
import { registerWebGpuKernels } from './webgpu/kernels';

const byBackend: Record<string, () => FastOps> = {
  wasm: () => {
    registerWasmKernels();
    return { batchNormTraining: batchNormBySums(batchNormKernelsWasm), supConLoss: supConLossWasm };
  },
  webgpu: () => {
    registerWebGpuKernels();
    return { batchNormTraining: batchNormBySums(kernelsFromColumnSums(columnSumsWebGpu)) };
  },
};

/** Registers the kernels of tfjs backend `name` ('wasm', 'webgpu', 'cpu', 'tensorflow') and makes its fast paths active. */
export function selectOps(name: string): void {
  setFastOps(name, byBackend[name]?.() ?? {});
}
