import assert from 'node:assert/strict';
import { test } from 'node:test';
import { choicesSummary, choicesToOverrides, configFromOverrides, defaultChoices, initialChoices, QUICK_CHECK, validateField } from '../../src/extension/start/runChoices';
import { trainArgs } from '../../src/extension/launch/trainerLaunch';

test('first choices come from supconLab.defaults, then the schema', () => {
  const c = initialChoices(undefined, defaultChoices({ 'dataset.kind': 'synthetic', epochs: '1' }));
  assert.equal(c.dataset.kind, 'synthetic');
  assert.equal(c.epochs, 1);
  assert.equal(c.method, 'supcon');
  assert.equal(c.batchSize, 256);
  assert.deepEqual(defaultChoices({ epochs: 'many' }), defaultChoices({}), 'settings that do not resolve: the schema alone');
});

test('the last choices win, and stale ones fall back to defaults', () => {
  const last = { ...defaultChoices({}), method: 'simclr', views: 4 };
  const mine = defaultChoices({ method: 'ce', epochs: '5' });
  assert.equal(initialChoices(last, mine).method, 'simclr');
  assert.equal(initialChoices({ ...last, epochs: -3 }, mine).epochs, 5);
  assert.equal(initialChoices({ method: 'simclr' }, mine).epochs, 5, 'fields the state lacks come from the defaults');
  assert.deepEqual(initialChoices({ dataset: { kind: 'cifar10' } }, mine), mine, 'a kind read from disk without its folder');
  assert.equal(initialChoices({ epochs: '7' }, mine).epochs, 7, 'hand-edited text is read as the schema types it');
});

test('choices become trainer arguments that the schema accepts', () => {
  const c = { ...defaultChoices({}), dataset: { kind: 'synthetic' as const }, epochs: 1, batchSize: 32 };
  const o = choicesToOverrides(c, { 'dataset.trainLimit': '600', 'dataset.path': '/ignored' }, 'wasm');
  assert.equal(o['dataset.trainLimit'], '600');
  assert.equal(o['dataset.path'], undefined);
  assert.equal(o.backend, 'wasm');
  const config = configFromOverrides(o);
  assert.equal(config.dataset.trainLimit, 600);
  assert.equal(config.batchSize, 32);
  const args = trainArgs('/runs', { epochs: '1', method: 'supcon' });
  assert.deepEqual(args, ['train', '--runs-dir', '/runs', '--epochs', '1', '--method', 'supcon']);
  assert.deepEqual(trainArgs('/runs', {}, '/w/a.supcon.json'), ['train', '--runs-dir', '/runs', '--config', '/w/a.supcon.json']);
});

test('typed numbers are checked against the schema', () => {
  assert.equal(validateField('epochs', '3'), undefined);
  assert.match(validateField('epochs', '-1')!, /^epochs: expected an integer >= 0/);
  assert.match(validateField('temperature', 'hot')!, /^temperature/);
  assert.match(validateField('batchSize', '2.5')!, /^batchSize/);
});

test('seed and name become overrides; the summary names the key settings; the quick check is a valid config', () => {
  const c = { ...defaultChoices({}), seed: 7, name: 'supcon-T0.5', temperature: 0.5 };
  const o = choicesToOverrides(c, {});
  assert.equal(o.seed, '7');
  assert.equal(o.name, 'supcon-T0.5');
  assert.equal(choicesToOverrides({ ...c, name: '' }, {}).name, undefined, 'no name: the trainer names the run');
  assert.equal(choicesSummary(c), 'supcon · fashion-mnist · convnet · 2 epochs · batch 256 · 2 views · T 0.5');
  assert.equal(choicesSummary({ ...c, method: 'ce', epochs: 1, views: 1 }), 'ce · fashion-mnist · convnet · 1 epoch · batch 256 · 1 view');
  const quick = configFromOverrides(QUICK_CHECK);
  assert.deepEqual([quick.name, quick.dataset.kind, quick.dataset.trainLimit, quick.epochs, quick.probe.epochs], ['quick-check', 'fashion-mnist', 2000, 1, 5]);
  assert.match(validateField('name', 'a/b')!, /^name/);
  assert.match(validateField('seed', '-1')!, /^seed/);
});
