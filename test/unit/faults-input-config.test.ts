/**
 * Bad config input: a run config (as a file or the extension sends it) or a
 * command-line value, each refused with one line naming the field and what is
 * allowed. The harness (test/fixtures/faults/badInput.ts) checks that nothing
 * else changed.
 */
import { applyOverrides, resolveConfig } from '../../src/protocol/config';
import { BadInput, badInputs } from '../fixtures/faults/badInput';

const configCase = (what: string, input: unknown, error: RegExp): BadInput => ({ what, input: () => () => resolveConfig(input), error });
const overrideCase = (what: string, flags: Record<string, string>, error: RegExp): BadInput => ({
  what: `${what} (command-line value)`,
  input: () => () => resolveConfig(applyOverrides({}, flags)),
  error,
});

const cases: BadInput[] = [
  configCase('epochs above the maximum', { epochs: 10_001 }, /^epochs: expected an integer >= 0 and <= 10000, got 10001$/),
  configCase('epochs as a string', { epochs: '2' }, /^epochs: expected an integer >= 0 and <= 10000, got "2"$/),
  configCase('batch of one image', { batchSize: 1 }, /^batchSize: expected an integer >= 2 and <= 8192, got 1$/),
  configCase('no views', { views: 0 }, /^views: expected an integer >= 1 and <= 8, got 0$/),
  configCase('temperature 0', { temperature: 0 }, /^temperature: expected a number >= 0.01 and <= 10, got 0$/),
  configCase('negative temperature', { temperature: -0.07 }, /^temperature: expected a number >= 0.01 and <= 10, got -0.07$/),
  configCase('base temperature 0', { baseTemperature: 0 }, /^baseTemperature: expected a number > 0 and <= 10, got 0$/),
  configCase('infinite learning rate', { lr: Infinity }, /^lr: expected a number > 0 and <= 100, got Infinity$/),
  configCase('momentum 1', { momentum: 1 }, /^momentum: expected a number >= 0 and <= 0.999, got 1$/),
  configCase('negative weight decay', { weightDecay: -1e-4 }, /^weightDecay: expected a number >= 0 and <= 0.1, got -0.0001$/),
  configCase('seed above 32 bits', { seed: 2 ** 32 }, /^seed: expected an integer >= 0 and <= 4294967295, got 4294967296$/),
  configCase('fractional checkpointEvery', { checkpointEvery: 0.5 }, /^checkpointEvery: expected an integer >= 0 and <= 10000, got 0.5$/),
  configCase('unknown backend', { backend: 'tpu' }, /^backend: expected one of "auto", "gpu", "webgpu", "node", "wasm", "cpu", got "tpu"$/),
  configCase('method in the wrong case', { method: 'SupCon' }, /^method: expected one of "supcon", "supcon-in", "simclr", "ce", got "SupCon"$/),
  configCase('probe batch of 0', { probe: { batchSize: 0 } }, /^probe.batchSize: expected an integer >= 1 and <= 65536, got 0$/),
  configCase('image size below 8', { dataset: { imageSize: 7 } }, /^dataset.imageSize: expected an integer >= 8 and <= 96, got 7$/),
  configCase('crop scale 0', { augment: { minCropScale: 0 } }, /^augment.minCropScale: expected a number >= 0.05 and <= 1, got 0$/),
  configCase('flip as a number', { augment: { flip: 1 } }, /^augment.flip: expected true or false, got 1$/),
  configCase('unknown field', { epochz: 3 }, /^epochz: unknown field \(known: name, method, dataset, /),
  configCase('unknown nested field', { probe: { epoch: 3 } }, /^probe.epoch: unknown field \(known: epochs, lr, batchSize\)$/),
  configCase('group given as null', { dataset: null }, /^dataset: expected an object, got null$/),
  configCase('a list instead of a config', [], /^config: expected an object, got \[\]$/),
  configCase('idx without a path', { dataset: { kind: 'idx' } }, /^dataset.path: is required for dataset kind "idx"$/),
  configCase('simclr with one view', { method: 'simclr', views: 1 }, /^views: simclr needs at least 2 views/),
  configCase('run name ".."', { name: '..' }, /^name: "\.\." must not contain "\.\." \(it becomes part of a folder name\)$/),
  configCase('run name with a path', { name: 'runs/../../etc' }, /^name: "runs\/..\/..\/etc" may hold only letters, digits, _ \. and -$/),
  configCase('run name with a backslash', { name: 'a\\b' }, /^name: "a\\\\b" may hold only letters/),
  configCase('run name of 65 characters', { name: 'x'.repeat(65) }, /^name: at most 64 characters$/),
  overrideCase('learning rate as a word', { lr: 'fast' }, /^lr: expected a number > 0 and <= 100, got "fast"$/),
  overrideCase('a group set as a value', { dataset: 'synthetic' }, /^dataset: is a group of fields: set its members, e.g. --dataset.kind$/),
  overrideCase('a field below a value', { 'dataset.kind.x': '1' }, /^dataset.kind.x: unknown field$/),
  overrideCase('the $schema key', { $schema: 'x' }, /^\$schema: unknown field/),
  overrideCase('flip as "maybe"', { 'augment.flip': 'maybe' }, /^augment.flip: expected true or false, got "maybe"$/),
];

badInputs('config', cases, 33);
