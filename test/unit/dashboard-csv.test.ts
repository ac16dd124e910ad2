import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveConfig } from '../../src/protocol/config';
import { toCsv } from '../../webview/csv';
import { SeriesStore } from '../../webview/series';

test('one row per step with every step metric; NaN is an empty cell; odd ids are quoted', () => {
  const store = new SeriesStore();
  const run = store.apply('a,"b"', [
    { t: 0, type: 'started', runId: 'a', config: resolveConfig({ temperature: 0.5, views: 4 }), backend: { name: 'cpu', label: 'cpu', gpu: false, threads: 1, version: '', skipped: [] }, trainSize: 10, testSize: 5, stepsPerEpoch: 2 },
    { t: 1, type: 'step', epoch: 1, step: 1, globalStep: 1, loss: 2.5, lr: 0.1, imagesPerSec: 800, posSim: 0.5, negSim: null as never },
    { t: 2, type: 'step', epoch: 1, step: 2, globalStep: 2, loss: 2.25, lr: 0.09, imagesPerSec: 810, posSim: 0.6, negSim: 0.1 },
  ], false);
  assert.equal(toCsv([run]), [
    'run,settings,epoch,globalStep,loss,lr,imagesPerSec,posSim,negSim',
    '"a,""b""",supcon · T 0.5 · 4 views · batch 256,2,1,2.5,0.1,800,0.5,',
    '"a,""b""",supcon · T 0.5 · 4 views · batch 256,2,2,2.25,0.09,810,0.6,0.1',
    '',
  ].join('\n'));
});
