import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTrainerCommand, parseEvent, parseEventLine } from '../../src/protocol/messages';

const step = { type: 'step', t: 1, epoch: 0, step: 1, globalStep: 2, loss: 5.1, lr: 0.1, imagesPerSec: 100, posSim: 0.5, negSim: 0.1 };

test('a well-formed event parses; fields are checked by type', () => {
  assert.deepEqual(parseEvent(step), step);
  assert.equal(parseEvent({ ...step, loss: 'x' }), undefined);
  assert.equal(parseEvent({ ...step, epoch: undefined }), undefined);
  assert.equal(parseEvent({ ...step, type: 'toString' }), undefined);
  assert.equal(parseEvent({ ...step, t: undefined }), undefined);
  assert.equal(parseEvent(null), undefined);
  assert.equal(parseEvent([step]), undefined);
});

test('a torn or foreign line is skipped, never thrown', () => {
  const line = JSON.stringify(step);
  assert.deepEqual(parseEventLine(line), step);
  assert.equal(parseEventLine(line.slice(0, 20)), undefined);
  assert.equal(parseEventLine('garbage'), undefined);
  assert.equal(parseEventLine('{"type":"__proto__","t":1}'), undefined);
});

test('only a stop is a trainer command', () => {
  assert.ok(isTrainerCommand({ type: 'stop' }));
  assert.ok(!isTrainerCommand({ type: 'kill' }));
  assert.ok(!isTrainerCommand('stop'));
});

test('a diagnostics event carries its class matrix square, with null for a class without pairs', () => {
  const d = {
    type: 'diagnostics',
    t: 1,
    epoch: 1,
    globalStep: 18,
    samples: 200,
    knnTop1: 0.85,
    alignment: 0.1,
    classAlignment: null,
    uniformity: -1.3,
    stdMean: 0.05,
    stdCollapsed: 0,
    effectiveRank: 4.2,
    dim: 128,
    classSimilarity: [
      [1, 0.2],
      [0.2, null],
    ],
    seconds: 5,
  };
  assert.deepEqual(parseEvent(d), d);
  assert.equal(parseEvent({ ...d, classSimilarity: [[1, 0.2]] }), undefined, 'not square');
  assert.equal(
    parseEvent({
      ...d,
      classSimilarity: [
        [1, 'x'],
        [0, 1],
      ],
    }),
    undefined,
  );
  assert.equal(parseEvent({ ...d, knnTop1: null }), undefined);
  assert.equal(parseEvent({ ...d, effectiveRank: undefined }), undefined);
});
