import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { budgetEpochs, expandSweep, gridCombinations, loadSweep } from '../../src/sweep/expand';
import { parseSweepSpec, sweepId, sweepSchemaDocument } from '../../src/protocol/sweep';
import { viewsPreset } from '../../src/sweep/presets';
import { tempDirs } from './tempDirs';

const tmp = tempDirs('supcon-sweep-');

test('the grid is the product of the axes, last axis fastest', () => {
  assert.deepEqual(gridCombinations({ views: [1, 2], method: ['supcon', 'ce'] }), [
    { views: 1, method: 'supcon' },
    { views: 1, method: 'ce' },
    { views: 2, method: 'supcon' },
    { views: 2, method: 'ce' },
  ]);
  assert.deepEqual(gridCombinations({}), [{}]);
});

test('points x seeds: every grid point once per seed, floors first, run names tag sweep and point', () => {
  const spec = parseSweepSpec({ name: 't', base: { epochs: 2 }, axes: { views: [1, 2, 4], temperature: [0.1, 0.5] }, seeds: [0, 7] });
  const points = expandSweep(spec, 't-abc123');
  assert.equal(points.length, 2 * (1 + 3 * 2));
  assert.deepEqual(points.map((p) => p.id).slice(0, 7), ['floor-s0', 'p0-s0', 'p1-s0', 'p2-s0', 'p3-s0', 'p4-s0', 'p5-s0']);
  assert.equal(new Set(points.map((p) => p.id)).size, points.length);
  const p3s7 = points.find((p) => p.id === 'p3-s7')!;
  assert.deepEqual(p3s7.values, { views: 2, temperature: 0.5 });
  assert.equal(p3s7.run.views, 2);
  assert.equal(p3s7.run.temperature, 0.5);
  assert.equal(p3s7.run.seed, 7);
  assert.equal(p3s7.run.epochs, 2);
  assert.equal(p3s7.run.name, 't-abc123.p3-s7');
  const floor = points.find((p) => p.id === 'floor-s7')!;
  assert.equal(floor.run.epochs, 0);
  assert.equal(floor.run.seed, 7);
  assert.deepEqual(floor.rules, []);
});

test('nested fields as axes; no floor when asked', () => {
  const spec = parseSweepSpec({ axes: { 'dataset.trainLimit': [100, 200], 'augment.flip': [false] }, floor: false });
  const points = expandSweep(spec, 's-1');
  assert.deepEqual(
    points.map((p) => [p.run.dataset.trainLimit, p.run.augment.flip]),
    [
      [100, false],
      [200, false],
    ],
  );
});

test('budget rules: equal steps keeps epochs; equal compute holds images x views, and identical runs are shared', () => {
  assert.equal(budgetEpochs('equal-steps', 3, 8, 2), 3);
  assert.equal(budgetEpochs('equal-compute', 1, 1, 8), 8);
  assert.equal(budgetEpochs('equal-compute', 1, 4, 8), 2);
  const spec = parseSweepSpec({
    base: { epochs: 1 },
    axes: { views: [1, 2, 4, 8] },
    seeds: [0],
    budget: { rules: ['equal-steps', 'equal-compute'], referenceViews: 8 },
    floor: false,
  });
  const points = expandSweep(spec, 'v-1');
  // views 8 gives 1 epoch under both rules: one run standing for both
  assert.deepEqual(
    points.map((p) => [p.run.views, p.run.epochs, p.rules.join('+')]),
    [
      [1, 1, 'equal-steps'],
      [1, 8, 'equal-compute'],
      [2, 1, 'equal-steps'],
      [2, 4, 'equal-compute'],
      [4, 1, 'equal-steps'],
      [4, 2, 'equal-compute'],
      [8, 1, 'equal-steps+equal-compute'],
    ],
  );
  for (const p of points) assert.equal(p.run.views * p.run.epochs, p.rules.includes('equal-compute') ? 8 : p.run.views);
});

test('the sweep id follows the spec: the same file continues the same sweep, another gets its own', () => {
  const a = parseSweepSpec({ name: 'x', axes: { views: [1, 2] } });
  const b = parseSweepSpec({ axes: { views: [1, 2] }, name: 'x' });
  const c = parseSweepSpec({ name: 'x', axes: { views: [1, 4] } });
  assert.equal(sweepId(a), sweepId(b));
  assert.notEqual(sweepId(a), sweepId(c));
  assert.match(sweepId(a), /^x-[0-9a-f]{6}$/);
});

const bad: [string, unknown, RegExp][] = [
  ['unknown field', { axis: { views: [1] } }, /^axis: unknown field \(known: name, base, axes, seeds, budget, floor\)$/],
  ['unknown config field in axes', { axes: { view: [1, 2] } }, /^axes\.view: unknown config field \(known: name, method, dataset\.kind/],
  ['unknown field in base', { base: { colour: 1 } }, /^base\.colour: unknown field/],
  ['empty axis', { axes: { views: [] } }, /^axes\.views: empty list: an axis needs at least one value$/],
  ['axis not a list', { axes: { views: 4 } }, /^axes\.views: expected a list of values, got 4$/],
  ['a value the run schema refuses', { axes: { views: [1, 2, 9] } }, /^axes\.views\[2\]: expected an integer >= 1 and <= 8, got 9$/],
  ['a nested value the run schema refuses', { axes: { 'augment.flip': [true, 'no'] } }, /^axes\.augment\.flip\[1\]: expected true or false, got "no"$/],
  ['a cross-field refusal at one point', { base: { method: 'simclr' }, axes: { views: [2, 1] } }, /^axes\.views\[1\]: simclr needs at least 2 views/],
  ['a base value refused', { base: { temperature: 0 } }, /^base\.temperature: expected a number >= 0\.01/],
  [
    'budget giving zero steps',
    { base: { epochs: 1 }, axes: { views: [1, 4] }, budget: { rules: ['equal-compute'], referenceViews: 2 } },
    /^budget: equal-compute gives 0\.5 epochs at views 4 .*zero optimizer steps/,
  ],
  ['budget with zero base epochs', { base: { epochs: 0 } }, /^budget: base\.epochs is 0: zero optimizer steps/],
  [
    'budget giving a fraction of an epoch',
    { base: { epochs: 3 }, axes: { views: [2] }, budget: { rules: ['equal-compute'], referenceViews: 1 } },
    /^budget: equal-compute gives 1\.5 epochs at views 2: not a whole number/,
  ],
  ['unknown budget rule', { budget: { rules: ['equal-time'] } }, /^budget\.rules\[0\]: expected one of "equal-steps", "equal-compute", got "equal-time"$/],
  ['seed out of range', { seeds: [0, -1] }, /^seeds\[1\]: expected an integer >= 0/],
  ['empty seeds', { seeds: [] }, /^seeds: expected a non-empty list/],
  ['seed as an axis', { axes: { seed: [1, 2] } }, /^axes\.seed: seeds are set by "seeds"/],
  ['bad name', { name: 'a/b' }, /^name: expected 1 to 24 letters/],
];

for (const [what, input, message] of bad) {
  test(`bad sweep file: ${what}`, () => {
    assert.throws(
      () => {
        const spec = parseSweepSpec(input);
        expandSweep(spec, 'x-000000');
      },
      (e: Error) => (assert.match(e.message, message), true),
    );
  });
}

test('a bad sweep file read from disk names the file and the path in it', () => {
  const file = path.join(tmp(), 'views.sweep.json');
  fs.writeFileSync(file, JSON.stringify({ axes: { views: [1, 2, 9] } }));
  assert.throws(() => loadSweep(file), { message: `${file}: axes.views[2]: expected an integer >= 1 and <= 8, got 9` });
  assert.equal(loadSweep((fs.writeFileSync(file, '{}'), file)).spec.name, 'views');
  fs.writeFileSync(file, '{"axes": ');
  assert.throws(() => loadSweep(file), /views\.sweep\.json: not valid JSON/);
});

test('the sweep JSON Schema offers every config field as an axis and the run schema as base', () => {
  const doc = sweepSchemaDocument() as { properties: { axes: { properties: Record<string, { items: { maximum?: number } }> }; base: { properties: object } } };
  assert.equal(doc.properties.axes.properties.views.items.maximum, 8);
  assert.ok(doc.properties.axes.properties['dataset.trainLimit']);
  assert.ok(!('seed' in doc.properties.axes.properties));
  assert.ok('temperature' in doc.properties.base.properties);
});

test('the views preset: views 1, 2, 4, 8 x 3 seeds under both budget rules, beside the floor; config flags set its base', () => {
  const spec = parseSweepSpec(viewsPreset({ 'dataset.trainLimit': '1000', epochs: '2' }, false));
  const points = expandSweep(spec, sweepId(spec));
  assert.equal(points.length, 3 * (1 + 7));
  const seed0 = points.filter((p) => p.seed === 0 && p.config >= 0);
  assert.deepEqual(
    seed0.map((p) => [p.run.views, p.run.epochs]),
    [
      [1, 2],
      [1, 16],
      [2, 2],
      [2, 8],
      [4, 2],
      [4, 4],
      [8, 2],
    ],
  );
  assert.ok(points.every((p) => p.run.dataset.trainLimit === 1000 && p.run.method === 'supcon' && p.run.batchSize === 128));
  const withCe = expandSweep(parseSweepSpec(viewsPreset({}, true, [0])), 'v');
  assert.deepEqual([...new Set(withCe.map((p) => p.run.method))], ['supcon', 'ce']);
  assert.throws(() => viewsPreset({ views: 'many' }, false), /^ConfigError: views: expected an integer/);
});
