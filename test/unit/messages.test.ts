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
