import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compactTick } from '../../webview/chartSpecs';

test('axis ticks stay short', () => {
  assert.deepEqual([0, 4, 2.5, 0.05, 0.000123, 123456, 1234.5].map(compactTick), ['0', '4', '2.5', '0.05', '1.2e-4', '1.2e+5', '1230']);
});
