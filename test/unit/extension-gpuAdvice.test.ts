import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { cudaInstallCommand, gpuAdvice, gpuModulePaths, gpuPrefix } from '../../src/extension/launch/gpuAdvice';
import { tempDirs } from './tempDirs';

const tempDir = tempDirs('supcon-gpu-');

test('GPU advice names commands that exist: tfjs-node-gpu at the trainer version into the extension storage; WebGPU needs nothing', () => {
  const prefix = gpuPrefix('/storage');
  assert.equal(prefix, path.join('/storage', 'gpu'));
  assert.equal(cudaInstallCommand(prefix, '4.22.0'), `npm install --prefix "${prefix}" --no-audit --no-fund @tensorflow/tfjs-node-gpu@4.22.0`);
  const text = gpuAdvice([{ backend: 'gpu', reason: '@tensorflow/tfjs-node-gpu is not installed' }], prefix, '4.22.0').join('\n');
  assert.match(text, /gpu: @tensorflow\/tfjs-node-gpu is not installed/);
  assert.match(text, /CUDA 11\.2 and cuDNN 8\.1/);
  assert.match(text, /WebGPU needs nothing installed/);
  assert.doesNotMatch(text, /npm install supcon-lab/, 'no package by that name is published');
});

test('the trainer looks in the CUDA folder only once something is installed there', () => {
  const prefix = tempDir();
  assert.deepEqual(gpuModulePaths(prefix), []);
  fs.mkdirSync(path.join(prefix, 'node_modules'));
  assert.deepEqual(gpuModulePaths(prefix), [path.join(prefix, 'node_modules')]);
});

test("the reasons it lists leave out the trainer's own install command, whose folder an update replaces", () => {
  const reason = '@tensorflow/tfjs-node-gpu is not installed: npm install @tensorflow/tfjs-node-gpu (needs CUDA 11.2 + cuDNN 8.1 on Linux), run in /ext/supcon-lab-0.1.0';
  const text = gpuAdvice([{ backend: 'gpu', reason }], gpuPrefix('/storage'), '4.22.0').join('\n');
  assert.match(text, /^ {2}- gpu: @tensorflow\/tfjs-node-gpu is not installed$/m);
  assert.doesNotMatch(text, /\/ext\/supcon-lab-0\.1\.0/);
  assert.match(text, /npm install --prefix/);
});
