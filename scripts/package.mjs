// `npm run package [-- [--out DIR] TARGET ...]`: one .vsix per VS Code platform target,
// each holding the bundles in dist/, the built-in Fashion-MNIST and only that
// platform's native binaries (Dawn from `webgpu`, sharp's @img packages) plus
// the wasm binaries, staged in .package/<target>/ and packed with
// `vsce package --no-dependencies --target <target>`. A target whose sharp
// binaries are not installed here is skipped with the packages it needs.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ALL = ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64', 'win32-x64', 'win32-arm64'];
const args = process.argv.slice(2);
const outAt = args.indexOf('--out');
const outDir = outAt >= 0 ? path.resolve(args.splice(outAt, 2)[1]) : process.cwd();
const targets = args.length ? args : ALL;
const root = process.cwd();
const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));
const modules = path.join(root, 'node_modules');

/** Files of `dir` (relative), recursively. */
const filesIn = (dir) =>
  fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)));

function copy(from, to) {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
}

/** What a target needs from node_modules beyond dist/: package-relative paths to copy, by package. */
function runtimeFiles(target) {
  const [platform, arch] = target.split('-');
  const dawn = platform === 'darwin' ? 'darwin-universal' : target;
  const wasm = JSON.parse(fs.readFileSync(path.join(modules, '@tensorflow/tfjs-backend-wasm/package.json'), 'utf8'));
  const sharpPackages = [
    'sharp',
    '@img/colour',
    'detect-libc',
    'semver',
    `@img/sharp-${platform}-${arch}`,
    ...(platform === 'win32' ? [] : [`@img/sharp-libvips-${platform}-${arch}`]),
  ];
  return {
    // backend/init.ts reads each backend package's version from its package.json, and points the wasm
    // backend at that package's folder (require.resolve of its main file) for the .wasm files.
    '@tensorflow/tfjs-backend-webgpu': ['package.json'],
    '@tensorflow/tfjs-backend-wasm': [
      'package.json',
      wasm.main,
      ...filesIn(path.join(modules, '@tensorflow/tfjs-backend-wasm/dist'))
        .filter((f) => f.endsWith('.wasm'))
        .map((f) => `dist/${f}`),
    ],
    webgpu: ['package.json', 'index.js', 'LICENSE.md', ...filesIn(path.join(modules, 'webgpu/dist', dawn)).map((f) => `dist/${dawn}/${f}`)],
    ...Object.fromEntries(
      sharpPackages.map((p) => [
        p,
        fs.existsSync(path.join(modules, p)) ? filesIn(path.join(modules, p)).filter((f) => !/\.(md|d\.c?m?ts)$/.test(f) && !f.startsWith(`src${path.sep}`)) : undefined,
      ]),
    ),
  };
}

function stage(target) {
  const files = runtimeFiles(target);
  const missing = Object.entries(files)
    .filter(([, f]) => !f)
    .map(([name]) => name);
  if (missing.length)
    return {
      skipped: `needs ${missing.join(', ')} in node_modules (npm install --no-save --os=${target.split('-')[0]} --cpu=${target.split('-')[1]} sharp@${pkg.dependencies.sharp})`,
    };
  const dir = path.join(root, '.package', target);
  fs.rmSync(dir, { recursive: true, force: true });
  for (const f of filesIn('dist').filter((f) => !f.endsWith('.map'))) copy(path.join('dist', f), path.join(dir, 'dist', f));
  for (const f of filesIn('media')) copy(path.join('media', f), path.join(dir, 'media', f));
  for (const [name, list] of Object.entries(files)) for (const f of list) copy(path.join(modules, name, f), path.join(dir, 'dist/node_modules', name, f));
  // The package's manifest without what only a source checkout uses; images in the README stay on the repository.
  const { dependencies, devDependencies, optionalDependencies, scripts, bin, ...manifest } = pkg;
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
  fs.writeFileSync(path.join(dir, 'README.md'), fs.readFileSync('README.md', 'utf8').replace(/^!\[[^\]]*\]\([^)]*\)\s*$/gm, ''));
  fs.copyFileSync('.vscodeignore', path.join(dir, '.vscodeignore'));
  const out = path.join(outDir, `${pkg.name}-${target}-${pkg.version}.vsix`);
  const vsce = path.join(modules, '@vscode/vsce/vsce');
  const r = spawnSync(
    process.execPath,
    [vsce, 'package', '--no-dependencies', '--target', target, '--allow-missing-repository', '--skip-license', '--no-rewrite-relative-links', '--out', out],
    { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (r.status !== 0) throw new Error(`vsce package --target ${target} failed (exit ${r.status})`);
  fs.rmSync(dir, { recursive: true, force: true });
  const data = filesIn('dist/data').reduce((n, f) => n + fs.statSync(path.join('dist/data', f)).size, 0);
  return { out, bytes: fs.statSync(out).size, data };
}

const mb = (n) => `${(n / 1e6).toFixed(1)} MB`;
for (const target of targets) {
  if (!ALL.includes(target)) throw new Error(`unknown target ${target}; expected one of ${ALL.join(', ')}`);
  const r = stage(target);
  if (r.skipped) console.log(`${target}: skipped, ${r.skipped}`);
  else console.log(`${target}: ${path.basename(r.out)} ${mb(r.bytes)} (of which the built-in Fashion-MNIST ${mb(r.data)}: ${mb(r.bytes - r.data)} without it)`);
}
