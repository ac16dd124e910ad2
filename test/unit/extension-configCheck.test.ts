import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTree } from 'jsonc-parser';
import { checkConfigText, locateField } from '../../src/extension/config/configCheck';
import { jsonSchemaDocument } from '../../src/protocol/config';

test('locates nested keys, preferring the deepest existing part', () => {
  const text = '{\n  "method": "supcon",\n  "dataset": { "kind": "cifar10", "trainLimit": 5 },\n  "probe": {"epochs": 1}\n}';
  const at = (f: string) => {
    const r = locateField(parseTree(text), f);
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
  const r = locateField(parseTree(text), 'method')!;
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
  if (!broken.ok) assert.equal(broken.message, 'Not valid JSON: value expected (line 1, column 12)');
  const good = checkConfigText('{"$schema": "x", "method": "simclr", "dataset": {"kind": "synthetic"}}');
  assert.equal(good.ok && good.config.method, 'simclr');
});

test('every problem at once, one diagnostic each, naming its field and underlining its key', () => {
  const text = '{\n  "epochs": -1,\n  "temperature": 0,\n  "dataset": { "kind": "mnist", "colour": 1 },\n  "probe": { "batchSize": 1.5 }\n}';
  const c = checkConfigText(text);
  assert.equal(c.ok, false);
  if (c.ok) return;
  assert.deepEqual(
    c.problems.map((p) => [p.field, text.slice(p.range.start, p.range.end)]),
    [
      ['epochs', '"epochs"'],
      ['temperature', '"temperature"'],
      ['dataset.kind', '"kind"'],
      ['dataset.colour', '"colour"'],
      ['probe.batchSize', '"batchSize"'],
    ],
  );
  for (const p of c.problems) assert.ok(p.message.startsWith(`${p.field}: `), p.message);
  assert.equal(c.message, c.problems[0].message);
});

test("the editor's schema validates nothing (so no second warning repeats a problem) and hovers give range and default", () => {
  const doc = jsonSchemaDocument() as { properties: Record<string, Record<string, unknown> & { properties?: Record<string, Record<string, unknown>> }> };
  const keywords = new Set<string>();
  const walk = (o: unknown): void => {
    if (typeof o !== 'object' || o === null) return;
    for (const [k, v] of Object.entries(o)) {
      keywords.add(k);
      if (k === 'properties' || typeof v === 'object') walk(v);
    }
  };
  walk(doc.properties);
  for (const k of ['minimum', 'maximum', 'exclusiveMinimum', 'enum', 'pattern', 'maxLength', 'additionalProperties', 'required']) assert.ok(!keywords.has(k), `no "${k}"`);
  assert.equal(doc.properties.probe.properties!.epochs.markdownDescription, 'Probe epochs.\n\nAllowed: an integer >= 1 and <= 1000. Default: `10`.');
  assert.match(doc.properties.method.markdownDescription as string, /Allowed: one of "supcon", "supcon-in", "simclr", "ce"\. Default: `"supcon"`\.$/);
  assert.deepEqual(doc.properties.method.examples, ['supcon', 'supcon-in', 'simclr', 'ce']);
});
