import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cosineWithWarmup } from '../../src/trainer/schedule';

test('linear warm-up reaches the peak, cosine decays to zero', () => {
  assert.equal(cosineWithWarmup(0, 100, 10, 1), 0.1);
  assert.equal(cosineWithWarmup(9, 100, 10, 1), 1);
  assert.equal(cosineWithWarmup(10, 100, 10, 1), 1);
  assert.ok(Math.abs(cosineWithWarmup(55, 100, 10, 1) - 0.5) < 1e-12);
  assert.ok(cosineWithWarmup(100, 100, 10, 1) < 1e-12);
  for (let s = 11; s < 100; s++) assert.ok(cosineWithWarmup(s, 100, 10, 1) <= cosineWithWarmup(s - 1, 100, 10, 1));
});

test('no warm-up starts at the peak', () => {
  assert.equal(cosineWithWarmup(0, 10, 0, 0.5), 0.5);
});
