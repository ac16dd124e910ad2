import assert from 'node:assert/strict';
import { test } from 'node:test';
import { flattenConfig, paramsDiff } from '../../webview/paramsDiff';

test('configs flatten to dotted fields', () => {
  assert.deepEqual(flattenConfig({ a: 1, b: { c: 'x', d: true } }), { a: '1', 'b.c': 'x', 'b.d': 'true' });
});

test('only the fields that differ are rows; a missing field is an empty cell', () => {
  const rows = paramsDiff([
    { method: 'supcon', epochs: 2, dataset: { kind: 'synthetic' } },
    { method: 'simclr', epochs: 2, dataset: { kind: 'synthetic', path: '/d' } },
  ]);
  assert.deepEqual(rows, [
    { field: 'dataset.path', values: ['', '/d'] },
    { field: 'method', values: ['supcon', 'simclr'] },
  ]);
});

test('one run shows every field', () => {
  assert.equal(paramsDiff([{ a: 1, b: 2 }]).length, 2);
  assert.deepEqual(paramsDiff([{ a: 1 }, { a: 1 }]), []);
});
