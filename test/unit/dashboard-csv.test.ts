import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveConfig } from '../../src/protocol/config';
import { resultsCsv, toCsv } from '../../webview/csv';
import { SeriesStore } from '../../webview/series';
import { startedEvent, wasmBackend } from '../fixtures/events';

test('one row per step with every step metric; NaN is an empty cell; odd ids are quoted', () => {
  const store = new SeriesStore();
  const run = store.apply(
    'a,"b"',
    [
      startedEvent({ runId: 'a', config: resolveConfig({ temperature: 0.5, views: 4 }), trainSize: 10, testSize: 5 }),
      { t: 1, type: 'step', epoch: 1, step: 1, globalStep: 1, loss: 2.5, lr: 0.1, imagesPerSec: 800, posSim: 0.5, negSim: null },
      { t: 2, type: 'step', epoch: 1, step: 2, globalStep: 2, loss: 2.25, lr: 0.09, imagesPerSec: 810, posSim: 0.6, negSim: 0.1 },
    ],
    false,
  );
  assert.equal(
    toCsv([run]),
    [
      'run,settings,epoch,globalStep,loss,lr,imagesPerSec,posSim,negSim',
      '"a,""b""",supcon · T 0.5 · 4 views · batch 256,2,1,2.5,0.1,800,0.5,',
      '"a,""b""",supcon · T 0.5 · 4 views · batch 256,2,2,2.25,0.09,810,0.6,0.1',
      '',
    ].join('\n'),
  );
});

test('results: one row per run with its settings, final loss, headline top-1 and its checkpoint, and duration', () => {
  const store = new SeriesStore();
  const config = resolveConfig({
    method: 'supcon',
    dataset: { kind: 'synthetic' },
    encoder: 'convnet',
    epochs: 2,
    batchSize: 32,
    views: 2,
    temperature: 0.1,
    lr: 0.05,
    seed: 0,
    probe: { epochs: 10 },
  });
  const a = store.apply(
    '20261128-100000-a-0001',
    [
      startedEvent({ t: 1000, runId: '20261128-100000-a-0001', config, backend: wasmBackend, trainSize: 64, testSize: 8 }),
      { t: 2000, type: 'step', epoch: 0, step: 1, globalStep: 1, loss: 7.8, lr: 0.05, imagesPerSec: 100, posSim: 0.5, negSim: 0.1 },
      { t: 3000, type: 'step', epoch: 0, step: 2, globalStep: 2, loss: 7.648, lr: 0.05, imagesPerSec: 100, posSim: 0.5, negSim: 0.1 },
      { t: 4000, type: 'probeResult', checkpoint: 'last', globalStep: 2, top1: 0.99, bestTop1: 0.99, bestEpoch: 9, epochs: 10 },
      { t: 61000, type: 'finished', state: 'completed', top1: 0.99 },
      { t: 70000, type: 'probeResult', checkpoint: 'epoch-1', globalStep: 1, top1: 0.89, bestTop1: 0.9, bestEpoch: 3, epochs: 10 },
    ],
    false,
  );
  const b = store.apply(
    '20261128-110000-b-0002',
    [{ t: 5, type: 'step', epoch: 0, step: 1, globalStep: 1, loss: null, lr: 0.05, imagesPerSec: 100, posSim: 0.5, negSim: 0.1 }],
    false,
  );
  assert.equal(
    resultsCsv([a, b], (id) => id.slice(16)),
    [
      'run,label,method,dataset.kind,encoder,epochs,batchSize,views,temperature,lr,seed,probe.epochs,state,finalLoss,top1,top1Checkpoint,durationSeconds',
      '20261128-100000-a-0001,a-0001,supcon,synthetic,convnet,2,32,2,0.1,0.05,0,10,completed,7.648,0.99,last,60',
      '20261128-110000-b-0002,b-0002,,,,,,,,,,,,,,,',
      '',
    ].join('\n'),
  );
});
