/**
 * Stop reaches a trainer whose parent is gone: the window that started it was
 * reloaded (or crashed), so its stdout, stderr and IPC channel lead nowhere.
 * SIGTERM from anyone must still stop it after its step, save a checkpoint at
 * that step and record the run as stopped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { listCheckpoints, readStatus } from '../../src/protocol/runFolder';
import { isPidAlive } from '../../src/protocol/runFolder';
import { tmpDir } from '../fixtures/faults/harness';
import { CLI } from './runTrainer';

const runsDir = path.join(tmpDir('orphan'), 'runs');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A parent that spawns the trainer as the extension does (piped stdio, IPC) and prints "<pid> <runId>" at its first step. */
const PARENT = `
const { spawn } = require('node:child_process');
const child = spawn(process.execPath, process.argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe', 'ipc'] });
child.stdout.on('data', () => {});
child.stderr.on('data', () => {});
let runId;
child.on('message', (m) => {
  if (m.type === 'started') runId = m.runId;
  if (m.type === 'step' && m.globalStep === 2) process.stdout.write(child.pid + ' ' + runId + '\\n');
});
`;

test('a trainer whose parent died (pipes and IPC gone) stops on SIGTERM after its step, with a checkpoint there, state stopped', async () => {
  const args = [
    CLI,
    'train',
    '--runs-dir',
    runsDir,
    '--dataset.kind',
    'synthetic',
    '--dataset.trainLimit',
    '512',
    '--dataset.testLimit',
    '40',
    '--batchSize',
    '16',
    '--epochs',
    '8',
    '--probe.epochs',
    '1',
    '--backend',
    'wasm',
  ];
  const parent = spawn(process.execPath, ['-e', PARENT, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    parent.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.trim());
    });
    parent.on('exit', () => reject(new Error('parent exited before the trainer stepped')));
  });
  const [pid, runId] = [Number(line.split(' ')[0]), line.split(' ')[1]];
  parent.kill('SIGKILL');
  await sleep(1500); // the trainer carries on, writing its progress into pipes with no reader
  assert.ok(isPidAlive(pid), 'the trainer outlives its parent');
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 600 && isPidAlive(pid); i++) await sleep(100);
  assert.ok(!isPidAlive(pid), 'the trainer ended');
  const runDir = path.join(runsDir, runId);
  const status = readStatus(runDir);
  assert.equal(status.state, 'stopped');
  const last = listCheckpoints(runDir).find((c) => c.name === 'last');
  assert.ok(last, 'a checkpoint was saved');
  assert.equal(last.globalStep, status.globalStep, 'at the last step taken');
  assert.ok(status.globalStep < 8 * 32, 'stopped early');
});
