/**
 * TensorFlow.js's WebGPU backend in Node through Dawn (npm `webgpu`): a GPU
 * path for NVIDIA, AMD, Intel and Apple without CUDA or libtensorflow.
 *
 * Dawn tries Vulkan (Metal, D3D on other systems) first; when that gives no
 * adapter, or SUPCON_WEBGPU_BACKEND=opengles, it uses OpenGL ES over EGL,
 * which needs the "compatibility" feature level. On a machine without a GPU
 * that is Mesa's llvmpipe, a software adapter good for tests.
 *
 * SUPCON_WEBGPU_TIMESTAMPS=1 asks for GPU timestamp queries (Dawn allows them
 * with its unsafe APIs on), so that tf.profile reports each kernel's GPU time:
 * the GPU profile bench uses it; training does not.
 */
import * as tf from './tf';
import { installHint } from './install';

/** The parts of Dawn's WebGPU objects used here. */
interface GpuAdapter {
  info: { vendor: string; architecture: string; device: string; description: string; isFallbackAdapter?: boolean };
  limits: Record<string, number>;
  features: { has(name: string): boolean };
  requestDevice(descriptor?: { requiredLimits?: Record<string, number>; requiredFeatures?: string[] }): Promise<GpuDevice>;
}
interface GpuDevice {
  destroy(): void;
}
interface Gpu {
  requestAdapter(options?: { featureLevel?: 'core' | 'compatibility'; powerPreference?: 'high-performance' }): Promise<GpuAdapter | null>;
}
interface Dawn {
  create(options: string[]): Gpu;
  globals: object;
}

export interface WebGpuAdapter {
  /** Vendor, architecture and description, as Dawn reports them. */
  description: string;
  /** A software rasteriser (llvmpipe, lavapipe, SwiftShader) rather than a GPU. */
  software: boolean;
}

/** Limits tfjs needs raised to the adapter's own (the defaults cap buffer sizes). */
const RAISED_LIMITS = [
  'maxComputeWorkgroupStorageSize',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupSizeX',
  'maxComputeInvocationsPerWorkgroup',
];

let device: GpuDevice | undefined;
let ownNavigator = false;

/**
 * Loads Dawn, finds an adapter and registers the tfjs 'webgpu' backend on it
 * (selected later by tf.setBackend). Throws an Error saying why when there is
 * no adapter.
 */
export async function registerWebGpu(): Promise<WebGpuAdapter> {
  const dawn = loadDawn();
  Object.assign(globalThis, dawn.globals); // GPUBufferUsage, GPUMapMode, ... used by tfjs
  const { gpu, adapter } = await findAdapter(dawn);
  // Loads the webgpu kernels. The backend is registered here rather than by the
  // package (which does so only if navigator.gpu exists at import, and asks
  // for an adapter itself, without the featureLevel OpenGL ES needs): it runs
  // on the adapter found above and can be registered again after removeWebGpu.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only here, after the adapter is found (see above)
  const { WebGPUBackend } = require('@tensorflow/tfjs-backend-webgpu') as {
    WebGPUBackend: new (device: GpuDevice, info: GpuAdapter['info']) => tf.KernelBackend;
  };
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  setNavigatorGpu(gpu); // WebGPUBackend refuses to start without navigator.gpu
  tf.registerBackend('webgpu', async () => {
    const requiredLimits = Object.fromEntries(RAISED_LIMITS.map((k) => [k, adapter.limits[k]]));
    const requiredFeatures = timestamps() && adapter.features.has('timestamp-query') ? ['timestamp-query'] : [];
    device = await adapter.requestDevice({ requiredLimits, requiredFeatures });
    return new WebGPUBackend(device, adapter.info);
  });
  return describeAdapter(adapter);
}

/** Removes the backend and destroys its device, so that Node can exit. */
export function removeWebGpu(): void {
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  device?.destroy();
  device = undefined;
  setNavigatorGpu(undefined);
}

function loadDawn(): Dawn {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional native package, loaded only when WebGPU is tried
    return require('webgpu') as Dawn;
  } catch (e) {
    throw new Error(`the 'webgpu' package (Dawn) does not load: ${(e as Error).message.split('\n')[0]}. Install it with: ${installHint('webgpu')}`);
  }
}

const timestamps = () => process.env.SUPCON_WEBGPU_TIMESTAMPS === '1';

async function findAdapter(dawn: Dawn): Promise<{ gpu: Gpu; adapter: GpuAdapter }> {
  const toggles = timestamps() ? ['enable-dawn-features=allow_unsafe_apis'] : [];
  if (process.env.SUPCON_WEBGPU_BACKEND !== 'opengles') {
    const gpu = dawn.create(toggles);
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (adapter) return { gpu, adapter };
  }
  process.env.EGL_PLATFORM ??= 'surfaceless'; // no display needed for compute
  const gpu = dawn.create(['backend=opengles', ...toggles]);
  const adapter = await gpu.requestAdapter({ featureLevel: 'compatibility' });
  if (adapter) return { gpu, adapter };
  throw new Error(
    'no WebGPU adapter: Vulkan found no device (needs libvulkan1 and a GPU driver) and OpenGL ES found none ' +
      '(on Debian/Ubuntu: apt-get install libegl1 libegl-mesa0 libgl1-mesa-dri libegl-dev; Dawn opens libEGL.so)',
  );
}

function describeAdapter(adapter: GpuAdapter): WebGpuAdapter {
  const { vendor, architecture, device: name, description, isFallbackAdapter } = adapter.info;
  const text = [...new Set([vendor, architecture, name, description].filter(Boolean))].join(' ');
  return { description: text, software: !!isFallbackAdapter || /llvmpipe|lavapipe|softpipe|swiftshader/i.test(`${name} ${description}`) };
}

/** Node 20 has no navigator; Node 21+ has one without gpu. */
function setNavigatorGpu(gpu: Gpu | undefined): void {
  const g = globalThis as unknown as { navigator?: Record<string, unknown> };
  if (gpu) {
    if (!g.navigator) {
      g.navigator = {};
      ownNavigator = true;
    }
    Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
  } else if (ownNavigator) {
    delete g.navigator;
    ownNavigator = false;
  } else if (g.navigator) {
    delete g.navigator.gpu;
  }
}
