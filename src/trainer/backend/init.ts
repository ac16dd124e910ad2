/**
 * Picks and starts the TensorFlow.js backend. 'auto' takes the fastest that
 * works here: CUDA through tfjs-node-gpu, WebGPU on a real GPU, libtensorflow
 * on the CPU (tfjs-node), wasm (XNNPACK), plain JavaScript. It reports why
 * each faster one was passed over; a forced choice that cannot run throws an
 * Error saying why and what to install.
 */
import * as tf from './tf';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BackendChoice } from '../../protocol/config';
import type { BackendInfo } from '../../protocol/messages';
import { selectOps } from '../ops';
import { installHint } from './install';
import { registerWebGpu, removeWebGpu } from './webgpu';

type Concrete = Exclude<BackendChoice, 'auto'>;
type Started = Omit<BackendInfo, 'skipped'>;

/** The order 'auto' tries, fastest first. */
const LADDER: readonly Concrete[] = ['gpu', 'webgpu', 'node', 'wasm', 'cpu'];

const NODE_GPU = '@tensorflow/tfjs-node-gpu';
const NODE_CPU = '@tensorflow/tfjs-node';

const INSTALL_GPU = () => installHint(NODE_GPU, 'needs CUDA 11.2 + cuDNN 8.1 on Linux');

const starters: Record<Concrete, (forced: boolean, wasmThreads: number) => Promise<Started>> = {
  gpu: startNodeGpu,
  webgpu: startWebGpu,
  node: startNodeCpu,
  wasm: startWasm,
  cpu: startCpu,
};

/** The native package that registered the 'tensorflow' backend, once loaded. */
let nativePackage: string | undefined;

/** `wasmThreads`: the worker threads the wasm backend trains on (data-parallel, see parallel/pool.ts). */
export async function initBackend(choice: BackendChoice, wasmThreads = 1): Promise<BackendInfo> {
  if (choice !== 'auto') {
    try {
      return { ...(await starters[choice](true, wasmThreads)), skipped: [] };
    } catch (e) {
      throw new Error(`backend "${choice}" cannot be used: ${reason(e)}`);
    }
  }
  const skipped: BackendInfo['skipped'] = [];
  for (const name of LADDER) {
    try {
      return { ...(await starters[name](false, wasmThreads)), skipped };
    } catch (e) {
      skipped.push({ backend: name, reason: reason(e) });
    }
  }
  throw new Error(`no backend starts: ${skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ')}`);
}

/** Lets go of a GPU device (a process holding one does not exit). Dispose tensors first. */
export async function releaseBackend(): Promise<void> {
  removeWebGpu();
}

async function startNodeGpu(): Promise<Started> {
  loadNative(NODE_GPU, INSTALL_GPU());
  await use('tensorflow');
  if (!(tf.backend() as { isUsingGpuDevice?: boolean }).isUsingGpuDevice) {
    throw new Error(
      'tfjs-node-gpu loaded but runs on the CPU: CUDA/cuDNN libraries missing (libcudart.so.11.0, libcudnn.so.8, ...). ' +
        'It needs CUDA 11.2 and cuDNN 8.1 exactly; newer CUDA (12.x) is not picked up',
    );
  }
  return { name: 'tensorflow', label: 'GPU (CUDA, tfjs-node-gpu)', version: packageVersion(NODE_GPU), threads: os.availableParallelism(), gpu: true };
}

/** On Linux a GPU shows up as a device node; without one, 'auto' need not load Dawn (which warns on stderr). */
function linuxHasGpuDevice(): boolean {
  const has = (dir: string, prefix: string) => {
    try {
      return fs.readdirSync(dir).some((f) => f.startsWith(prefix));
    } catch {
      return false;
    }
  };
  return has('/dev/dri', 'renderD') || has('/dev', 'nvidia');
}

async function startWebGpu(forced: boolean): Promise<Started> {
  if (!forced && process.platform === 'linux' && !linuxHasGpuDevice()) throw new Error('no GPU device on this machine (/dev/dri/renderD*, /dev/nvidia*)');
  const adapter = await registerWebGpu();
  try {
    if (adapter.software && !forced) throw new Error(`only a software adapter (${adapter.description}); the CPU backends are faster`);
    await use('webgpu');
  } catch (e) {
    removeWebGpu();
    throw e;
  }
  return {
    name: 'webgpu',
    label: `WebGPU: ${adapter.description}${adapter.software ? ' (software)' : ''}`,
    version: packageVersion('@tensorflow/tfjs-backend-webgpu'),
    threads: 1,
    gpu: !adapter.software,
    adapter: adapter.description,
  };
}

/** libtensorflow on the CPU; tfjs-node-gpu already loaded without CUDA serves too (both cannot load). */
async function startNodeCpu(): Promise<Started> {
  if (!nativePackage) loadNative(NODE_CPU, installHint(NODE_CPU));
  await use('tensorflow');
  return {
    name: 'tensorflow',
    label: `TensorFlow on the CPU (${nativePackage!.split('/')[1]})`,
    version: packageVersion(nativePackage!),
    threads: os.availableParallelism(),
    gpu: false,
  };
}

async function startWasm(_forced: boolean, threads: number): Promise<Started> {
  setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep);
  await use('wasm');
  return { name: 'wasm', label: `wasm (CPU, ${threads} thread${threads === 1 ? '' : 's'})`, version: packageVersion('@tensorflow/tfjs-backend-wasm'), threads, gpu: false };
}

async function startCpu(): Promise<Started> {
  await use('cpu');
  return { name: 'cpu', label: 'cpu (plain JavaScript, slow)', version: tf.version_core, threads: 1, gpu: false };
}

async function use(name: string): Promise<void> {
  if (!(await tf.setBackend(name))) throw new Error(`the ${name} backend failed to initialise`);
  selectOps(name);
}

/** Requires an optional native package by a name the bundler leaves alone. */
function loadNative(name: string, install: string): void {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional native package, named at run time
    require(name);
    nativePackage = name;
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && reason(e).includes(`'${name}'`);
    throw new Error(missing ? `${name} is not installed: ${install}` : `${name} is installed but does not load (${reason(e)}); reinstall: ${install}`);
  }
}

function packageVersion(name: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the installed version, read at run time
  return (require(`${name}/package.json`) as { version: string }).version;
}

function reason(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0];
}
