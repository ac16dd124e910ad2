import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs } from '../../src/cli/args';

test('own flags and config overrides are told apart', () => {
  const r = parseArgs(['train', '--config', 'a.json', '--epochs', '3', '--augment.flip=false', '--quiet', '--lr', '-1']);
  assert.deepEqual(r.own, { config: 'a.json', quiet: '' });
  assert.deepEqual(r.overrides, { epochs: '3', 'augment.flip': 'false', lr: '-1' });
});

test('bad commands and flags get one clear line', () => {
  assert.throws(() => parseArgs(['fit']), /unknown command "fit": expected one of train, resume, probe, preview/);
  assert.throws(() => parseArgs(['train', 'epochs']), /unexpected argument "epochs"/);
  assert.throws(() => parseArgs(['resume', '--epochs', '2']), /--epochs: not a flag of "resume"/);
});
