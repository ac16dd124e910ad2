import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Column } from '../../webview/column';
import { Ema, ema } from '../../webview/ema';

test('debiased EMA starts at the first value and follows a constant exactly', () => {
  assert.deepEqual(
    [...ema([3, 3, 3], 0.9)].map((v) => +v.toFixed(12)),
    [3, 3, 3],
  );
  const s = ema([0, 10], 0.5);
  assert.equal(s[0], 0);
  assert.ok(Math.abs(s[1] - (10 * 0.5) / 0.75) < 1e-12);
});

test('weight 0 is the raw series; non-finite values pass through untouched', () => {
  assert.deepEqual([...ema([1, 2, 3], 0)], [1, 2, 3]);
  const s = ema([1, NaN, 1], 0.8);
  assert.ok(Number.isNaN(s[1]));
  assert.ok(Math.abs(s[2] - 1) < 1e-12);
});

test('extending as points arrive gives the same as smoothing at once', () => {
  const values = Array.from({ length: 500 }, (_, i) => Math.sin(i) * 3 + i / 100);
  const src = new Column(4);
  const inc = new Ema(0.7);
  for (const v of values) {
    src.push(v);
    if (src.length % 37 === 0) inc.extend(src);
  }
  assert.deepEqual([...inc.extend(src)], [...ema(values, 0.7)]);
});

test('a replay that replaces steps with other values recomputes the average from the first replaced step', () => {
  const src = new Column(4);
  const inc = new Ema(0.9);
  for (const v of [8, 8, 8, 8, 8, 8]) src.push(v);
  inc.extend(src);
  src.truncate(3); // steps 4.. arrive again, with other values
  for (const v of [1, 1, 1]) src.push(v);
  assert.deepEqual([...inc.extend(src)], [...ema([8, 8, 8, 1, 1, 1], 0.9)]);
  // dropped and refilled between two draws, to the same length
  src.truncate(5);
  src.push(0);
  assert.deepEqual([...inc.extend(src)], [...ema([8, 8, 8, 1, 1, 0], 0.9)]);
});
