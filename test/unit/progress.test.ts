import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkpointPosition, epochNumber, formatDuration, stepProgressText, timeLeft } from '../../src/protocol/progress';

test('one epoch numbering from 1: events, checkpoints', () => {
  assert.equal(epochNumber(0), 1);
  assert.equal(checkpointPosition({ epoch: 0, stepInEpoch: 0, globalStep: 0 }), 'before training');
  assert.equal(checkpointPosition({ epoch: 2, stepInEpoch: 0, globalStep: 468 }), 'after epoch 2');
  assert.equal(checkpointPosition({ epoch: 2, globalStep: 468 }), 'after epoch 2');
  assert.equal(checkpointPosition({ epoch: 0, stepInEpoch: 40, globalStep: 40 }), 'in epoch 1, step 40');
});

test('durations read as estimates; time left from the pace of the steps timed', () => {
  assert.deepEqual([12, 44, 61, 3599, 3600, 4830].map(formatDuration), ['10 s', '45 s', '1 min', '1 h', '1 h', '1 h 21 min']);
  assert.equal(timeLeft(5, 20, 0, 0), undefined);
  assert.equal(timeLeft(5, 20, 4, 8), 30);
  assert.equal(stepProgressText(40, 468, 361), 'step 40/468 · 6 min left');
  assert.equal(stepProgressText(468, 468, 0), 'step 468/468');
  assert.equal(stepProgressText(3, 468), 'step 3/468');
});
