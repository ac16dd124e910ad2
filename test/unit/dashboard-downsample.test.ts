import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alignSeries, xExtent } from '../../webview/downsample';

test('short series are joined exactly on the union of their x values', () => {
  const a = alignSeries(
    [
      { x: [1, 2, 3], y: [10, 20, 30] },
      { x: [2, 4], y: [5, NaN] },
    ],
    100,
  );
  assert.equal(a.exact, true);
  assert.deepEqual(a.x, [1, 2, 3, 4]);
  assert.deepEqual(a.ys, [
    [10, 20, 30, null],
    [null, 5, null, null],
  ]);
  assert.equal(a.pointsIn, 5);
});

test("long series keep each bucket's min and max in the order they occurred", () => {
  const n = 10_000;
  const x = Float64Array.from({ length: n }, (_, i) => i);
  const y = Float64Array.from({ length: n }, (_, i) => Math.sin(i / 50));
  y[5000] = 100; // a spike must survive
  y[7000] = -100;
  const a = alignSeries([{ x, y }], 100);
  assert.equal(a.exact, false);
  assert.equal(a.x.length, 200);
  const vals = a.ys[0].filter((v): v is number => v !== null);
  assert.equal(Math.max(...vals), 100);
  assert.equal(Math.min(...vals), -100);
  // A falling bucket (max first) stays falling.
  const c = alignSeries([{ x: Float64Array.from({ length: 100 }, (_, i) => i), y: Float64Array.from({ length: 100 }, (_, i) => 100 - i) }], 2);
  assert.deepEqual(c.ys[0].slice(0, 2), [100, 51]);
});

test('a zoom range limits the points and the x axis', () => {
  const x = Float64Array.from({ length: 1000 }, (_, i) => i);
  const a = alignSeries([{ x, y: x }], 400, [100, 199]);
  assert.equal(a.pointsIn, 100);
  assert.equal(a.x[0], 100);
  assert.equal(a.x[a.x.length - 1], 199);
});

test('empty input draws nothing', () => {
  assert.equal(xExtent([{ x: [], y: [] }]), undefined);
  assert.deepEqual(alignSeries([{ x: [], y: [] }], 10), { x: [], ys: [[]], pointsIn: 0, exact: true });
});

// how fast is a benchmark's question (bench/dashboard.bench.ts); this checks what a million points become
test('a million points align to at most two per pixel, keeping their extremes', () => {
  const n = 1_000_000;
  const x = Float64Array.from({ length: n }, (_, i) => i);
  const y = Float64Array.from({ length: n }, (_, i) => Math.cos(i / 1000) + (i % 7) / 10);
  const a = alignSeries([{ x, y }], 1000);
  assert.equal(a.pointsIn, n);
  assert.ok(a.x.length <= 2000);
  const shown = a.ys[0].filter((v): v is number => v !== null);
  const extremes = (v: Iterable<number>) => {
    let [lo, hi] = [Infinity, -Infinity];
    for (const t of v) [lo, hi] = [Math.min(lo, t), Math.max(hi, t)];
    return [lo, hi];
  };
  assert.deepEqual(extremes(shown), extremes(y));
});
