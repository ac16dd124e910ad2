import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyOverrides, ConfigError, jsonSchemaDocument, resolveConfig } from '../../src/protocol/config';

test('an empty config resolves to the documented defaults', () => {
  const c = resolveConfig({});
  assert.equal(c.method, 'supcon');
  assert.equal(c.views, 2);
  assert.equal(c.temperature, 0.1);
  assert.equal(c.dataset.kind, 'fashion-mnist');
  assert.equal(c.augment.minCropScale, 0.2);
  assert.equal(c.probe.epochs, 10);
});

const bad: [unknown, RegExp][] = [
  [{ epochs: -1 }, /^epochs: expected an integer >= 0 and <= 10000, got -1$/],
  [{ epochs: 1.5 }, /^epochs: expected an integer/],
  [{ views: 9 }, /^views: expected an integer >= 1 and <= 8, got 9/],
  [{ temperature: 0 }, /^temperature: expected a number >= 0.01/],
  [{ temperature: -1 }, /^temperature: expected a number >= 0.01/],
  [{ temperature: '0.1' }, /^temperature: expected a number .*got "0.1"/],
  [{ method: 'byol' }, /^method: expected one of "supcon", "supcon-in", "simclr", "ce", got "byol"/],
  [{ lr: Number.NaN }, /^lr: expected a number/],
  [{ colour: 1 }, /^colour: unknown field \(known: name, method/],
  [{ dataset: { kind: 'cifar10' } }, /^dataset.path: is required for dataset kind "cifar10"/],
  [{ dataset: { size: 3 } }, /^dataset.size: unknown field/],
  [{ dataset: 'mnist' }, /^dataset: expected an object, got "mnist"/],
  [{ augment: { flip: 'yes' } }, /^augment.flip: expected true or false/],
  [{ name: '../escape' }, /^name: "..\/escape" may hold only letters/],
  [{ name: 'a/b' }, /^name: .* may hold only/],
  [{ method: 'simclr', views: 1 }, /^views: simclr needs at least 2 views/],
  [[], /^: expected an object|expected an object/],
];
for (const [input, message] of bad) {
  test(`rejects ${JSON.stringify(input)}`, () => {
    assert.throws(
      () => resolveConfig(input),
      (e: unknown) => e instanceof ConfigError && message.test(e.message),
    );
  });
}

test('overrides parse by the schema type and name unknown fields', () => {
  const out = applyOverrides({}, { epochs: '3', 'augment.flip': 'false', 'dataset.kind': 'synthetic', temperature: '0.5' });
  assert.deepEqual(out, { epochs: 3, augment: { flip: false }, dataset: { kind: 'synthetic' }, temperature: 0.5 });
  assert.throws(() => applyOverrides({}, { epoch: '3' }), /epoch: unknown field/);
  assert.throws(() => applyOverrides({}, { epochs: 'three' }), /epochs: expected an integer/);
  assert.throws(() => applyOverrides({}, { 'epochs.x': '1' }), /epochs.x: unknown field/);
  assert.throws(() => applyOverrides({}, { augment: '1' }), /augment: is a group of fields/);
});

test('the JSON Schema document carries defaults and descriptions for completion', () => {
  const doc = jsonSchemaDocument() as { properties: Record<string, { default?: unknown; description?: string }> };
  assert.equal(doc.properties.temperature.default, 0.1);
  assert.ok(doc.properties.method.description?.includes('Eq. 2'));
});
