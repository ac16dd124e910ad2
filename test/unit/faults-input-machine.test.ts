/**
 * What the machine raises: JavaScript or the wasm heap out of memory, a backend
 * that is not installed. Each becomes a hint a person can act on.
 */
import * as tf from '../../src/trainer/backend/tf';
import { initBackend } from '../../src/trainer/backend/init';
import { describeFailure } from '../../src/trainer/failures';
import { BadInput, badInputs } from '../fixtures/faults/badInput';
import { skipIfInstalled } from '../fixtures/faults/harness';

const cases: BadInput[] = [
  {
    what: 'JavaScript out of memory',
    error: /^Out of memory: lower batchSize or views, or pick a smaller encoder\.$/,
    input: () => () => {
      try {
        return new ArrayBuffer(2 ** 50);
      } catch (e) {
        throw new Error(describeFailure(e).hint);
      }
    },
  },
  {
    what: 'the wasm heap exhausted',
    error: /\(Out of memory: lower batchSize or views, or pick a smaller encoder\.\)$/,
    input: async () => {
      await initBackend('wasm');
      return async () => {
        try {
          tf.tidy(() => tf.ones([8]).tile([2 ** 28 - 1]));
        } catch (e) {
          const { error, hint } = describeFailure(e);
          throw new Error(`${error} (${hint})`);
        } finally {
          await tf.setBackend('cpu');
        }
      };
    },
  },
  {
    what: 'a backend that is not installed',
    skip: skipIfInstalled('@tensorflow/tfjs-node'),
    error:
      /^backend "node" cannot be used: @tensorflow\/tfjs-node is not installed: npm install @tensorflow\/tfjs-node, run in \/\S+ \(Install the backend named above, or run with backend "auto"\.\)$/,
    input: () => () =>
      initBackend('node').catch((e) => {
        throw new Error(`${e.message} (${describeFailure(e).hint})`);
      }),
  },
];

badInputs('machine', cases, 3);
