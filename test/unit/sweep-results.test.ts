import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregate, meanStd, resultsCsv, resultsTable } from '../../src/sweep/results';

const close = (a: number | undefined, b: number) => assert.ok(a !== undefined && Math.abs(a - b) < 1e-12, `${a} != ${b}`);

test('mean, sample std and n against hand-computed values', () => {
  const a = meanStd([0.7, 0.72, 0.74]); // mean 0.72; squares 0.0004 + 0 + 0.0004 over n-1 = 2: std 0.02
  close(a.mean, 0.72);
  close(a.std, 0.02);
  assert.equal(a.n, 3);
  const b = meanStd([0.5, 0.6]); // mean 0.55; (0.0025 + 0.0025) / 1 = 0.005: std 0.0707106781...
  close(b.mean, 0.55);
  close(b.std, Math.sqrt(0.005));
  assert.deepEqual(meanStd([0.9]), { mean: 0.9, n: 1 }, 'one run: no std');
  assert.deepEqual(meanStd([]), { n: 0 });
});

const o = (id: string, config: number, views: number, rules: ('equal-steps' | 'equal-compute')[], seed: number, state: string, top1?: number, epochs = 1) => ({
  id,
  config,
  values: (config < 0 ? {} : { views }) as Record<string, number>,
  rules,
  seed,
  epochs,
  views,
  state: state as 'completed',
  top1,
});

test('rows: the floor, then each rule and grid point; failed, running and missing runs are counted apart, never averaged', () => {
  const rows = aggregate(
    [
      o('floor-s0', -1, 2, [], 0, 'completed', 0.6, 0),
      o('floor-s1', -1, 2, [], 1, 'completed', 0.64, 0),
      o('p0-s0', 0, 1, ['equal-steps'], 0, 'completed', 0.7),
      o('p0-s1', 0, 1, ['equal-steps'], 1, 'failed'),
      o('p1-s0', 1, 8, ['equal-steps', 'equal-compute'], 0, 'completed', 0.8),
      o('p1-s1', 1, 8, ['equal-steps', 'equal-compute'], 1, 'completed', 0.9),
      o('p2-s0', 2, 1, ['equal-compute'], 0, 'running', undefined, 8),
      o('p2-s1', 2, 1, ['equal-compute'], 1, 'missing', undefined, 8),
    ],
    ['equal-steps', 'equal-compute'],
  );
  assert.deepEqual(
    rows.map((r) => [r.floor ? 'floor' : r.rule, r.values.views ?? '-', r.n, r.seeds, r.notCounted]),
    [
      ['floor', '-', 2, [0, 1], {}],
      ['equal-steps', 1, 1, [0], { failed: 1 }],
      ['equal-steps', 8, 2, [0, 1], {}],
      ['equal-compute', 8, 2, [0, 1], {}],
      ['equal-compute', 1, 0, [], { running: 1, missing: 1 }],
    ],
  );
  close(rows[0].mean, 0.62);
  close(rows[2].mean, 0.85);
  close(rows[2].std, Math.sqrt(0.005));
  assert.equal(rows[4].mean, undefined);

  const table = resultsTable(rows, ['views']);
  assert.match(table, /^budget +views +epochs +probe top-1 +n +floor +not counted$/m);
  assert.match(table, /^equal-steps +1 +1 +70\.00% +1 +62\.00% \+- 2\.83 +1 failed$/m);
  assert.match(table, /^equal-compute +1 +8 +no result +0 +62\.00% \+- 2\.83 +1 running, 1 missing$/m);

  const csv = resultsCsv(rows, ['views']).split('\n');
  assert.equal(csv[0], 'budget,views,epochs,top1_mean_pct,top1_std_pct,n,seeds,not_counted');
  assert.equal(csv[1], 'floor (epochs 0),,0,62.00,2.83,2,0 1,');
  assert.equal(csv[3], 'equal-steps,8,1,85.00,7.07,2,0 1,');
  assert.equal(csv[5], 'equal-compute,1,8,,,0,,1 running 1 missing');
});
