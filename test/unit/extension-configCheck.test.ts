import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkConfigText } from '../../src/extension/configCheck';
import { locateField } from '../../src/extension/jsonLocate';

test('locates nested keys, preferring the deepest existing part', () => {
  const text = '{\n  "method": "supcon",\n  "dataset": { "kind": "cifar10", "trainLimit": 5 },\n  "probe": {"epochs": 1}\n}';
  const at = (f: string) => {
    const r = locateField(text, f);
    return r && text.slice(r.start, r.end);
  };
  assert.equal(at('method'), '"method"');
  assert.equal(at('dataset.trainLimit'), '"trainLimit"');
  assert.equal(at('dataset.path'), '"dataset"');
  assert.equal(at('probe.epochs'), '"epochs"');
  assert.equal(at('epochs'), undefined);
});

test('keys inside arrays, strings with escapes and broken text do not confuse it', () => {
  const text = '{"name": "a\\"method", "x": [{"method": 1}], "method": "simclr", "dataset": {';
  const r = locateField(text, 'method')!;
  assert.equal(r.start, text.lastIndexOf('"method"'));
});

test('a config error names the field and underlines its key', () => {
  const text = '{\n  "method": "supcon",\n  "epochs": -1\n}';
  const c = checkConfigText(text);
  assert.equal(c.ok, false);
  if (c.ok) return;
  assert.equal(c.field, 'epochs');
  assert.match(c.message, /^epochs: expected an integer >= 0/);
  assert.equal(text.slice(c.range.start, c.range.end), '"epochs"');
});

test('unknown fields, bad JSON and valid configs', () => {
  const unknown = checkConfigText('{"dataset": {"kind": "synthetic", "colour": 1}}');
  assert.equal(unknown.ok, false);
  if (!unknown.ok) assert.equal(unknown.field, 'dataset.colour');
  const broken = checkConfigText('{"method": ');
  assert.equal(broken.ok, false);
  if (!broken.ok) assert.match(broken.message, /^Not valid JSON/);
  const good = checkConfigText('{"$schema": "x", "method": "simclr", "dataset": {"kind": "synthetic"}}');
  assert.equal(good.ok && good.config.method, 'simclr');
});
