import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SLURM_OPTIONS, type ClusterJobSummary } from '../../src/protocol/cluster';
import { withJob } from '../../src/extension/cluster/clusterPresentation';
import { runItemModel } from '../../src/extension/runs/runPresentation';

const run = {
  id: '20261130-010000-supcon-synthetic-ab12',
  dir: '/runs/20261130-010000-supcon-synthetic-ab12',
  status: { state: 'queued' as const, pid: 0, host: '', startedAt: 0, updatedAt: 0, epoch: 0, globalStep: 0 },
};
const job = (state: ClusterJobSummary['state'], resumable: boolean, detail?: string): ClusterJobSummary => ({
  runId: run.id,
  runDir: run.dir,
  jobId: '42_1',
  state,
  detail,
  output: '/runs/slurm/42_1.out',
  resumable,
});

test('Runs tree: a cluster run shows its job id and scheduler state, the pending reason on hover, and flags for its commands', () => {
  const base = runItemModel(run);
  assert.deepEqual(withJob(base, undefined), base);
  const pending = withJob(base, job('pending', false, 'Priority'));
  assert.match(pending.description, /job 42_1 · pending$/);
  assert.match(pending.tooltip, /Slurm job 42_1: pending \(Priority\)$/);
  assert.deepEqual(pending.contextValue.split(' ').slice(-2), ['clusterJob', 'jobLive']);
  assert.equal(pending.icon.id, 'clock');
  const timedOut = withJob(base, job('timeout', true, 'time limit reached, checkpoint saved; resubmit to continue'));
  assert.ok(timedOut.contextValue.includes('jobResumable') && !timedOut.contextValue.includes('jobLive'));
});

test('the supconLab.slurm setting declares exactly the options of the schema the CLI checks', () => {
  const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8'));
  assert.deepEqual(Object.keys(pkg.contributes.configuration.properties['supconLab.slurm'].properties).sort(), Object.keys(SLURM_OPTIONS).sort());
  assert.deepEqual(pkg.extensionKind, ['workspace']);
});
