// Bundles each entry point with esbuild and writes the config JSON Schema.
// The tfjs packages the trainer uses are bundled from their ES module builds
// (mainFields), with src/trainer/tfCore.ts in place of src/trainer/tf.ts, so
// one tfjs-core instance serves every backend and the union package's layers,
// converter, data and webgl stay out. Native and optional packages stay
// external: they are loaded from node_modules at run time.
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';

const watch = process.argv.includes('--watch');
const external = ['vscode', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'webgpu', 'sharp', 'fashion-mnist'];
/** Puts src/trainer/tfCore.ts in place of src/trainer/tf.ts. */
const leanTfjs = {
  name: 'lean-tfjs',
  setup(build) {
    const tf = path.resolve('src/trainer/tf');
    build.onResolve({ filter: /\/tf$/ }, (args) => (path.resolve(args.resolveDir, args.path) === tf ? { path: path.resolve('src/trainer/tfCore.ts') } : undefined));
  },
};
const node = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', mainFields: ['module', 'main'], plugins: [leanTfjs], sourcemap: true, external, logLevel: 'warning' };

const builds = [
  { ...node, entryPoints: { extension: 'src/extension/main.ts' } },
  { ...node, entryPoints: { cli: 'src/cli/main.ts' }, banner: { js: '#!/usr/bin/env node' } },
  { bundle: true, platform: 'browser', target: 'es2022', format: 'iife', sourcemap: true, logLevel: 'warning', entryPoints: { webview: 'webview/main.ts' }, loader: { '.css': 'css' } },
  // --bench: the benches that run where tsx is not installed (bench/gpu.sh)
  ...(process.argv.includes('--bench') ? [{ ...node, sourcemap: false, entryPoints: { 'bench/trainWorker': 'bench/trainWorker.ts', 'bench/gpuProfile': 'bench/gpuProfile.ts' } }] : []),
].filter((b) => Object.values(b.entryPoints).every((f) => fs.existsSync(f)));

fs.mkdirSync('dist', { recursive: true });
await esbuild.build({ ...node, entryPoints: ['src/protocol/config.ts'], outfile: 'dist/schema-source.cjs', sourcemap: false });
const { jsonSchemaDocument } = await import('../dist/schema-source.cjs');
fs.writeFileSync('dist/supcon.schema.json', JSON.stringify(jsonSchemaDocument(), null, 2) + '\n');
fs.rmSync('dist/schema-source.cjs', { force: true });

for (const b of builds) {
  const opts = { ...b, outdir: 'dist' };
  if (watch) await (await esbuild.context(opts)).watch();
  else await esbuild.build(opts);
}
if (fs.existsSync('dist/cli.js')) fs.chmodSync('dist/cli.js', 0o755);
