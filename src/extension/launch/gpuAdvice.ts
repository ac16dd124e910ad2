/**
 * Getting a GPU backend for the extension's trainer: WebGPU ships with it;
 * CUDA needs @tensorflow/tfjs-node-gpu, installed with npm into a folder of
 * the extension's global storage that the trainer finds through NODE_PATH
 * (the extension's own folder is replaced on every update).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BackendInfo } from '../../protocol/messages';

/** Where `npm install --prefix` puts the CUDA backend for this extension. */
export const gpuPrefix = (globalStorage: string): string => path.join(globalStorage, 'gpu');

/** The module folder to add to the trainer's NODE_PATH, once something is installed there. */
export function gpuModulePaths(prefix: string): string[] {
  const modules = path.join(prefix, 'node_modules');
  return fs.existsSync(modules) ? [modules] : [];
}

/** The npm command that installs the CUDA backend matching the trainer's tfjs version. */
export const cudaInstallCommand = (prefix: string, tfjsVersion: string): string => `npm install --prefix "${prefix}" --no-audit --no-fund @tensorflow/tfjs-node-gpu@${tfjsVersion}`;

/**
 * A skipped backend's reason without the trainer's install command, which
 * the CUDA command below replaces with its pinned version.
 */
const whyOnly = (reason: string): string => reason.replace(/: (reinstall: )?npm install .*$/, '');

/** What the output channel says when asked how to use a GPU: why none ran here, then commands that work. */
export function gpuAdvice(skipped: BackendInfo['skipped'], prefix: string, tfjsVersion: string): string[] {
  return [
    'Why no GPU backend was used:',
    ...skipped.map((s) => `  - ${s.backend}: ${whyOnly(s.reason)}`),
    'Using a GPU with SupCon Lab:',
    '  - WebGPU needs nothing installed: it ships with the extension and runs on a GPU driver with Vulkan (Linux), Metal (macOS) or D3D12 (Windows).',
    '  - CUDA (NVIDIA on Linux x64 or Windows x64): install CUDA 11.2 and cuDNN 8.1 (tfjs-node-gpu loads nothing newer), then run',
    `      ${cudaInstallCommand(prefix, tfjsVersion)}`,
    '    The next run finds it there; its first output line names the backend in use.',
    '  - On the command line, in a checkout of this repository: npm install @tensorflow/tfjs-node-gpu@' + tfjsVersion,
    '  - The supconLab.backend setting forces a backend; "auto" takes the fastest that loads.',
  ];
}
