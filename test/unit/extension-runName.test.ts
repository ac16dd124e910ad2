import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultChoices, validateField } from '../../src/extension/start/runChoices';
import { defaultRunName } from '../../src/extension/start/runName';

const base = defaultChoices({});

test('run name: the method alone for the defaults, then each field that differs', () => {
  assert.equal(defaultRunName(base, base), 'supcon');
  assert.equal(defaultRunName({ ...base, temperature: 0.5, views: 4 }, base), 'supcon-T0.5-v4');
  assert.equal(
    defaultRunName({ ...base, method: 'simclr', dataset: { kind: 'cifar10', path: '/data/cifar' }, encoder: 'resnet18', batchSize: 128 }, base),
    'simclr-cifar10-resnet18-b128',
  );
  assert.equal(defaultRunName({ ...base, epochs: 10, seed: 3 }, base), 'supcon-e10-s3');
});

test('run name: cross-entropy has no temperature; names always pass the config schema', () => {
  assert.equal(defaultRunName({ ...base, method: 'ce', temperature: 0.5 }, base), 'ce');
  const long = {
    ...base,
    dataset: { kind: 'cifar100' as const },
    encoder: 'resnet50' as const,
    temperature: 0.123456789,
    views: 8,
    batchSize: 4096,
    epochs: 1000,
    seed: 4_294_967_295,
  };
  const name = defaultRunName(long, base);
  assert.ok(name.length <= 64);
  assert.equal(validateField('name', name), undefined);
});

test('run name: a base from supconLab.defaults counts as the default', () => {
  const mine = defaultChoices({ temperature: '0.5' });
  assert.equal(defaultRunName({ ...mine, views: 4 }, mine), 'supcon-v4');
});
