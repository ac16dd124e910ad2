// Bundles each entry point with esbuild and writes the config JSON Schema.
// tfjs and native/optional packages stay external: they are loaded from
// node_modules at run time so that one tfjs-core instance serves every backend.
import * as esbuild from 'esbuild';
import fs from 'node:fs';

const watch = process.argv.includes('--watch');
const external = ['vscode', '@tensorflow/*', 'webgpu', 'sharp', 'fashion-mnist'];
const node = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: true, external, logLevel: 'warning' };

const builds = [
  { ...node, entryPoints: { extension: 'src/extension/main.ts' } },
  { ...node, entryPoints: { cli: 'src/cli/main.ts' }, banner: { js: '#!/usr/bin/env node' } },
  // a data-parallel training replica, run by the trainer in worker threads beside cli.js
  { ...node, entryPoints: { trainWorker: 'src/trainer/parallel/worker.ts' } },
  { bundle: true, platform: 'browser', target: 'es2022', format: 'iife', sourcemap: true, logLevel: 'warning', entryPoints: { webview: 'webview/main.ts' }, loader: { '.css': 'css' } },
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
