// Runs the static checks, then every test/**/*.test.ts with Node's test runner
// (Node 20 does not glob .ts files itself). Arguments narrow the set and skip
// the checks: `npm test -- unit losses`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const filters = process.argv.slice(2);

/**
 * The package.json scripts run before the tests, in order; the first to fail
 * stops the run.
 */
const checks = ['lint', 'format:check', 'typecheck'];
// npm passes its own path to scripts; run directly, `npm` from the PATH (no shell either way).
const npm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ['npm'];
for (const check of filters.length ? [] : checks) {
  const r = spawnSync(npm[0], [...npm.slice(1), 'run', '--silent', check], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`npm run ${check} failed${r.error ? `: ${r.error.message}` : ''}`);
    process.exit(r.status || 1);
  }
}
const files = fs
  .readdirSync('test', { recursive: true })
  .map((f) => path.join('test', f))
  .filter((f) => f.endsWith('.test.ts') && filters.every((w) => f.includes(w)))
  .sort();
if (!files.length) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter', 'spec', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
