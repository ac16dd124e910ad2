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

test('a boolean field stands alone or takes a value; values may start with one dash, not two', () => {
  assert.deepEqual(parseArgs(['train', '--augment.flip', '--epochs', '2']).overrides, { 'augment.flip': '', epochs: '2' });
  assert.deepEqual(parseArgs(['preview', '--augment.flip', 'false', '--out', 'v.png']), { command: 'preview', own: { out: 'v.png' }, overrides: { 'augment.flip': 'false' } });
  assert.deepEqual(parseArgs(['train', '--colour', 'red']).overrides, { colour: 'red' }, 'an unknown field is left for the config schema to name');
  assert.throws(() => parseArgs(['train', '--epochs', '--views', '3']), /^Error: --epochs: expected a value, got the flag --views$/);
  assert.throws(() => parseArgs(['train', '--quiet', 'x']), /unexpected argument "x"/);
  assert.throws(() => parseArgs(['train', '-e', '3']), /unexpected argument "-e"/);
  assert.throws(() => parseArgs(['toString']), /unknown command "toString"/);
});

test('results takes its sweep folder as the one positional argument', () => {
  assert.deepEqual(parseArgs(['results', 'runs/sweeps/v-1', '--csv', 'r.csv']).own, { dir: 'runs/sweeps/v-1', csv: 'r.csv' });
  assert.throws(() => parseArgs(['results', 'a', 'b']), /unexpected argument "b"/);
});
