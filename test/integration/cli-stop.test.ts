/**
 * Ctrl-C on the command line: the run stops after its step with a checkpoint,
 * the process exits 130 (143 for SIGTERM) as shells expect of a program a
 * signal stopped, and the last line says how to continue it; that command,
 * run as printed, resumes the run to its end.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { listCheckpoints, readStatus } from '../../src/protocol/runFolder';
import { TINY_DATA } from '../fixtures/tinyRun';
import { tempDirs } from '../unit/tempDirs';
import { CLI } from './runTrainer';

const tmp = tempDirs('supcon-cli-stop-');

test('Ctrl-C stops after the step, exits 130, and the printed command continues the run to its end', async () => {
  const runsDir = path.join(tmp(), 'runs');
  const args = ['train', '--runs-dir', runsDir, '--dataset.kind', 'synthetic', '--dataset.trainLimit', '64', '--dataset.testLimit', '40'];
  const child = spawn(process.execPath, [CLI, ...args, '--batchSize', '16', '--epochs', '3', '--probe.epochs', '1', '--monitor.samples', '0', '--threads', '1'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  let sent = false;
  child.stderr!.on('data', (d) => {
    stderr += d;
    // once: a second Ctrl-C quits without waiting for the step
    if (!sent && /^epoch 1\/3:/m.test(stderr)) sent = child.kill('SIGINT');
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 130, stderr);
  assert.match(stderr, /^run stopped$/m);
  const hint = /^to continue: node (\S+) resume --run (\S+)$/m.exec(stderr);
  assert.ok(hint, `no resume line in:\n${stderr}`);
  assert.equal(path.resolve(hint[1]), CLI);
  assert.equal(readStatus(hint[2]).state, 'stopped');

  const resumed = spawnSync(process.execPath, [hint[1], 'resume', '--run', hint[2]], { encoding: 'utf8' });
  assert.equal(resumed.status, 0, resumed.stderr);
  // its first line says what it continues
  assert.match(resumed.stderr.split('\n')[0], new RegExp(`^resuming run ${path.basename(hint[2])} from checkpoint last, (in epoch 2, step [5-7]|after epoch 1, step 4) of 12$`));
  assert.match(resumed.stderr, /^run completed$/m);
  assert.equal(readStatus(hint[2]).state, 'completed');
});

test('SIGTERM stops after the step with a checkpoint and exits 143', async () => {
  const runsDir = path.join(tmp(), 'runs');
  const child = spawn(process.execPath, [CLI, 'train', '--runs-dir', runsDir, ...TINY_DATA, '--epochs', '3', '--probe.epochs', '1', '--monitor.samples', '0', '--threads', '1'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  let sent = false;
  child.stderr!.on('data', (d) => {
    stderr += d;
    if (!sent && /^epoch 1\/3:/m.test(stderr)) sent = child.kill('SIGTERM');
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 143, stderr);
  const [runId] = fs.readdirSync(runsDir);
  assert.equal(readStatus(path.join(runsDir, runId)).state, 'stopped');
  assert.ok(listCheckpoints(path.join(runsDir, runId)).some((c) => c.name === 'last'));
});
