// Runs every test/**/*.test.ts with Node's test runner (Node 20 does not glob
// .ts files itself). Arguments narrow the set: `npm test -- unit losses`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const filters = process.argv.slice(2);
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
