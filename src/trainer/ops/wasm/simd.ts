/**
 * The ops layer's own SIMD kernels (AssemblyScript in ./assembly, compiled by
 * scripts/build.mjs to dist/supcon-kernels.wasm), instantiated on the memory
 * of tfjs's wasm backend so that they read and write its tensors in place.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

// The Node side's types have no DOM, and with it no WebAssembly namespace: the little used here.
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
};
type Memory = object;

export const KERNELS_FILE = 'supcon-kernels.wasm';

/** batch, in height, in width, in channels, out height, out width, out channels, filter height, filter width, strides, top and left padding. */
export type SimdConvGeometry = [number, number, number, number, number, number, number, number, number, number, number, number, number];

/** Offsets are bytes into the backend's memory; shapes as in each kernel's source (./assembly). */
export interface SimdKernels {
  columnMoments(a: number, b: number, rows: number, channels: number, scale: number, out: number, scratch: number): void;
  channelAffine(x: number, dy: number, y: number, rows: number, channels: number, params: number): void;
  conv2dBackpropFilter(x: number, dy: number, dw: number, ...geometry: SimdConvGeometry): void;
  packFilter(w: number, packed: number, taps: number, ci: number, co: number, blockedAxis: 2 | 3): void;
  conv2dBackpropInput(dy: number, packed: number, dx: number, ...geometry: SimdConvGeometry): void;
  conv2d(x: number, packed: number, y: number, ...geometry: SimdConvGeometry): void;
}

/** Byte offset of a tensor in the backend's memory: what the kernels take for it. */
export const offset = (wasm: BackendWasm, t: { dataId: object }) => wasm.dataIdMap.get(t.dataId)!.memoryOffset;

let compiled: object | undefined;
const instances = new WeakMap<Memory, SimdKernels>();

/**
 * The kernels bound to `backend`'s memory. Throws naming the file when it is
 * missing (a source checkout before `npm run build`).
 */
export function simdKernels(backend: BackendWasm): SimdKernels {
  const memory = (backend.wasm as unknown as { asm: { memory: Memory } }).asm.memory;
  let kernels = instances.get(memory);
  if (!kernels) {
    compiled ??= new WebAssembly.Module(fs.readFileSync(kernelsFile()));
    kernels = new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as SimdKernels;
    instances.set(memory, kernels);
  }
  return kernels;
}

/** Beside the bundle (dist/cli.js, dist/trainReplica.js), or in dist/ when running from source. */
function kernelsFile(): string {
  const candidates = [path.join(__dirname, KERNELS_FILE), path.resolve(__dirname, '../../../../dist', KERNELS_FILE)];
  const found = candidates.find((f) => fs.existsSync(f));
  if (!found)
    throw new Error(
      `${KERNELS_FILE} not found (looked in ${candidates.join(', ')}): the installation is incomplete; reinstall the extension, or run npm run build in a source checkout`,
    );
  return found;
}
