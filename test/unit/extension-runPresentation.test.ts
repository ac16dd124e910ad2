import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunSummary } from '../../src/protocol/runFolder';
import { checkpointItemModel, probeOf, runItemModel, runLabel, sortRuns } from '../../src/extension/runs/runPresentation';

const config = { method: 'supcon', epochs: 3 } as never;
const status = (over: object) => ({ state: 'completed', pid: 1, host: 'h', startedAt: 0, updatedAt: 0, epoch: 3, globalStep: 30, ...over }) as never;

test('runs sort newest first by their time-stamped ids', () => {
  const ids = ['20261128-100000-a-0001', '20261128-120000-b-0002', '20261127-235959-c-0003'];
  assert.deepEqual(
    sortRuns(ids.map((id) => ({ id }))).map((r) => r.id),
    [ids[1], ids[0], ids[2]],
  );
});

test('a completed run shows method and top-1, with a pass icon', () => {
  const run: RunSummary = { id: '20261128-142501-supcon-fmnist-3fa2', dir: '/r', config, status: status({ top1: 0.8123, lastLoss: 1.5 }) };
  const m = runItemModel(run);
  assert.equal(m.label, 'supcon-fmnist-3fa2');
  assert.equal(m.description, 'supcon · top-1 81.2%');
  assert.deepEqual(m.icon, { id: 'pass', color: 'testing.iconPassed' });
  assert.match(m.contextValue, /\bsupconRun\b.*\bstate-completed\b/);
  assert.match(m.tooltip, /"method": "supcon"/);
});

test('a live run shows its latest loss and epoch, spins, and is stoppable', () => {
  const run: RunSummary = { id: '20261128-142501-x-0001', dir: '/r', config, status: status({ state: 'running', epoch: 1 }) };
  const m = runItemModel(run, { epoch: 2, epochs: 3, loss: 1.23456 }, true);
  assert.equal(m.description, 'supcon · loss 1.235 · epoch 2/3');
  assert.equal(m.icon.id, 'sync~spin');
  assert.match(m.contextValue, /\blive\b/);
  // A run driven elsewhere: status.json's 0-based epoch, shown 1-based.
  const other = runItemModel({ ...run, status: status({ state: 'running', epoch: 1, lastLoss: 2 }) });
  assert.equal(other.description, 'supcon · loss 2.000 · epoch 2/3');
  assert.doesNotMatch(other.contextValue, /\blive\b/);
});

test('failed, stopped, interrupted and unreadable runs get their own icons', () => {
  const icon = (s: object | undefined) => runItemModel({ id: '20261128-142501-x-0001', dir: '/r', status: s && status(s) }).icon.id;
  assert.equal(icon({ state: 'failed', error: 'boom' }), 'error');
  assert.equal(icon({ state: 'stopped' }), 'debug-stop');
  assert.equal(icon({ state: 'interrupted' }), 'warning');
  assert.equal(icon(undefined), 'question');
  const broken = runItemModel({ id: '20261128-142501-x-0001', dir: '/r', problem: 'status.json: not valid JSON' });
  assert.equal(broken.description, 'unreadable');
  assert.match(broken.tooltip, /not valid JSON/);
});

test('labels drop the time stamp; checkpoints show epoch and metric', () => {
  assert.equal(runLabel('20261128-142501-demo-00aa'), 'demo-00aa');
  assert.equal(runLabel('odd'), 'odd');
  const m = checkpointItemModel('run', { name: 'epoch-2', dir: '/c', epoch: 2, stepInEpoch: 0, globalStep: 20, metric: 0.75, savedAt: 0 });
  assert.equal(m.description, 'after epoch 2 · 0.7500');
  const stopped = checkpointItemModel('run', { name: 'last', dir: '/c', epoch: 2, stepInEpoch: 4, globalStep: 24, savedAt: 0 });
  assert.equal(stopped.description, 'in epoch 3, step 24');
  assert.equal(m.contextValue, 'supconCheckpoint');
});

test('corrupt status and config files never throw', () => {
  const odd = [
    { config: 'oops' as never, status: status({ top1: 'high', lastLoss: null, backend: {} }) },
    { config: { method: 7, epochs: '3' } as never, status: status({ state: 'running', epoch: 'x' }) },
    { config: null as never, status: undefined },
  ];
  for (const o of odd) {
    const m = runItemModel({ id: '20261128-142501-x-0001', dir: '/r', ...o });
    assert.doesNotMatch(m.description, /undefined|NaN/);
  }
});

test("the headline names the checkpoint it comes from; each checkpoint row shows its own probe, a replaced 'last' not its earlier self", () => {
  const probes = [
    { checkpoint: 'epoch-1', globalStep: 10, epochs: 10, lr: 0.1, batchSize: 60, top1: 0.89, bestTop1: 0.9, bestEpoch: 7, t: 0 },
    { checkpoint: 'last', globalStep: 30, epochs: 10, lr: 0.1, batchSize: 60, top1: 0.99, bestTop1: 0.99, bestEpoch: 9, t: 0 },
  ];
  const run: RunSummary = { id: '20261128-142501-supcon-fmnist-3fa2', dir: '/r', config, status: status({ top1: 0.99, top1Checkpoint: 'last', probes }) };
  assert.equal(runItemModel(run).description, 'supcon · top-1 99.0% (last)');
  const cp = (name: string, globalStep: number) => ({ name, dir: `/r/checkpoints/${name}`, epoch: globalStep / 10, stepInEpoch: 0, globalStep, savedAt: 0 });
  const early = checkpointItemModel(run.id, cp('epoch-1', 10), probeOf(probes, cp('epoch-1', 10)));
  assert.equal(early.description, 'after epoch 1 · probe top-1 89.0%');
  assert.match(early.tooltip, /Probe top-1: 89\.0% \(best 90\.0% at probe epoch 8; 10 epochs, batch 60\)/);
  assert.equal(probeOf(probes, cp('last', 40)), undefined, 'last was replaced by a resume: its probe is of another step');
  assert.equal(probeOf(probes, cp('best', 30)), undefined);
  assert.equal(probeOf('junk', cp('last', 30)), undefined);
});

test('a renamed run folder is flagged read only in the tree', () => {
  const run: RunSummary = { id: 'my-best-run', dir: '/r/my-best-run', config, status: status({ top1: 0.5 }), problem: 'folder name "my-best-run" is not a run id' };
  const m = runItemModel(run);
  assert.match(m.description, /renamed: read only/);
  assert.match(m.tooltip, /Problem: folder name "my\\-best\\-run" is not a run id/);
});
