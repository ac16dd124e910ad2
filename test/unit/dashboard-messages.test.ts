import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_SELECTED, parseDashboardState, parseWebviewMessage } from '../../src/protocol/dashboard';

test('accepts each well-formed webview message', () => {
  assert.deepEqual(parseWebviewMessage({ type: 'ready' }), { type: 'ready' });
  assert.deepEqual(parseWebviewMessage({ type: 'select', runIds: ['20261128-142501-a-1f2e', '20261128-142501-a-1f2e'] }), { type: 'select', runIds: ['20261128-142501-a-1f2e'] });
  assert.deepEqual(parseWebviewMessage({ type: 'stop', runId: 'r1' }), { type: 'stop', runId: 'r1' });
  assert.deepEqual(parseWebviewMessage({ type: 'resume', runId: 'r1' }), { type: 'resume', runId: 'r1' });
  assert.deepEqual(parseWebviewMessage({ type: 'export', kind: 'csv', fileName: 'runs.csv', data: 'a,b\n' }), { type: 'export', kind: 'csv', fileName: 'runs.csv', data: 'a,b\n' });
  assert.ok(parseWebviewMessage({ type: 'export', kind: 'png', fileName: 'c.png', data: 'data:image/png;base64,AAAA' }));
  assert.equal((parseWebviewMessage({ type: 'error', message: 'x'.repeat(5000) }) as { message: string }).message.length, 2000);
});

test('rejects malformed, unknown and dangerous messages', () => {
  const bad: unknown[] = [
    null,
    'ready',
    42,
    [],
    {},
    { type: 'nope' },
    { type: 'ready', extra: 1 },
    { type: 'select', runIds: 'r1' },
    { type: 'select', runIds: ['../etc'] },
    { type: 'select', runIds: ['a/b'] },
    { type: 'select', runIds: Array.from({ length: MAX_SELECTED + 1 }, (_, i) => `r${i}`) },
    { type: 'stop', runId: '..' },
    { type: 'resume', runId: '../x' },
    { type: 'resume', runId: 'r1', checkpoint: 'last' },
    { type: 'stop', runId: 7 },
    { type: 'export', kind: 'exe', fileName: 'a', data: '' },
    { type: 'export', kind: 'csv', fileName: '../x.csv', data: '' },
    { type: 'export', kind: 'csv', fileName: '.bashrc', data: '' },
    { type: 'export', kind: 'png', fileName: 'a.png', data: 'data:text/html,<script>' },
    { type: 'error', message: {} },
  ];
  for (const m of bad) assert.equal(parseWebviewMessage(m), undefined, JSON.stringify(m));
});

test('restored state keeps what is valid and defaults the rest', () => {
  assert.deepEqual(parseDashboardState(undefined), { selected: [], tab: 'charts', smoothing: 0.6, logScale: false });
  assert.deepEqual(parseDashboardState({ selected: ['ok-1', '../bad', 3], tab: 'params', smoothing: 0.9, logScale: true }), {
    selected: ['ok-1'],
    tab: 'params',
    smoothing: 0.9,
    logScale: true,
  });
  assert.deepEqual(parseDashboardState({ tab: 'evil', smoothing: 4 }), { selected: [], tab: 'charts', smoothing: 0.6, logScale: false });
});
