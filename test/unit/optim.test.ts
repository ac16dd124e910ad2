import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/trainer/backend/tf';
import { Sgd } from '../../src/trainer/optim';

test('SGD with momentum and weight decay follows torch.optim.SGD', async () => {
  await tf.setBackend('cpu');
  const w = tf.variable(tf.tensor1d([1, -2]));
  const sgd = new Sgd([w], 0.9, 0.1);
  // step 1: v = g + wd*w = [0.5,0.5] + [0.1,-0.2] = [0.6,0.3]; w = w - 0.1 v
  sgd.step([tf.tensor1d([0.5, 0.5])], 0.1);
  let got = Array.from(await w.data());
  assert.ok(Math.abs(got[0] - 0.94) < 1e-6 && Math.abs(got[1] + 2.03) < 1e-6, `${got}`);
  // step 2: v = 0.9*[0.6,0.3] + [0.5,0.5] + 0.1*[0.94,-2.03]
  sgd.step([tf.tensor1d([0.5, 0.5])], 0.1);
  got = Array.from(await w.data());
  const v = [0.9 * 0.6 + 0.5 + 0.094, 0.9 * 0.3 + 0.5 - 0.203];
  assert.ok(Math.abs(got[0] - (0.94 - 0.1 * v[0])) < 1e-6);
  assert.ok(Math.abs(got[1] - (-2.03 - 0.1 * v[1])) < 1e-6);
  sgd.dispose();
  w.dispose();
});
