import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveConfig } from '../../src/protocol/config';
import { keySettings, runDisplayName } from '../../src/protocol/runNaming';

test('key settings tell runs apart: method, T, views, batch; ce has no T; odd configs are tolerated', () => {
  assert.equal(keySettings(resolveConfig({})), 'supcon · T 0.1 · 2 views · batch 256');
  assert.equal(keySettings(resolveConfig({ temperature: 0.5 })), 'supcon · T 0.5 · 2 views · batch 256');
  assert.equal(keySettings(resolveConfig({ method: 'ce', views: 1, batchSize: 64 })), 'ce · 1 view · batch 64');
  assert.equal(keySettings({ method: 7, temperature: 'x', views: 2 }), '2 views');
  assert.equal(keySettings(null), '');
  assert.equal(runDisplayName('supcon-T0.5-3fa2', resolveConfig({ temperature: 0.5 })), 'supcon-T0.5-3fa2 (supcon · T 0.5 · 2 views · batch 256)');
  assert.equal(runDisplayName('old-run', undefined), 'old-run');
});
