/**
 * A config file named by --config that is missing or not valid JSON is a bad
 * argument (exit code 2, as every other config error), and a syntax error is
 * named by file, line and column as editors count them.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readConfigFile } from '../../src/cli/configFile';
import { ConfigError } from '../../src/protocol/config';
import { jsonSyntaxError } from '../../src/protocol/jsonText';
import { tempDirs } from './tempDirs';

const tmp = tempDirs('supcon-config-file-');

function write(name: string, text: string): string {
  const f = path.join(tmp(), name);
  fs.writeFileSync(f, text);
  return f;
}

test('a syntax error names the file, its line and column, and what was expected', () => {
  const f = write('run.supcon.json', '{\n  "epochs": 2,\n  "lr": ,\n  "views": 2\n}\n');
  assert.throws(
    () => readConfigFile(f),
    (e: unknown) => e instanceof ConfigError && e.message === `${f}:3:9: not valid JSON: value expected`,
  );
});

test('a trailing comma and a comment are errors too, as the trainer reads strict JSON', () => {
  assert.deepEqual(jsonSyntaxError('{"epochs": 2,}'), { message: 'property name expected', offset: 13, length: 1, line: 1, column: 14 });
  assert.equal(jsonSyntaxError('// note\n{"epochs": 2}')?.line, 1);
  assert.equal(jsonSyntaxError('{"epochs": 2}'), undefined);
});

test('a missing file is a config error naming it; a valid one reads as JSON.parse reads it', () => {
  const missing = path.join(tmp(), 'missing.supcon.json');
  assert.throws(
    () => readConfigFile(missing),
    (e: unknown) => e instanceof ConfigError && e.message === `${missing}: cannot read (ENOENT)`,
  );
  assert.deepEqual(readConfigFile(write('ok.json', '{"epochs": 3, "dataset": {"kind": "synthetic"}}')), { epochs: 3, dataset: { kind: 'synthetic' } });
});
