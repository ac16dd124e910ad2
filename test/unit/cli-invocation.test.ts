/**
 * The command hints name: the program as the person ran it, `node dist/cli.js`
 * from a source checkout and `supcon-lab` through the installed bin.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { cliCommand, withFieldsHint } from '../../src/cli/invocation';
import { applyOverrides, ConfigError } from '../../src/protocol/config';
import { CLI } from '../integration/runTrainer';

test('from a checkout the command is node and the script, relative to the working folder when inside it', () => {
  assert.equal(cliCommand('/home/a/supcon/dist/cli.js', '/home/a/supcon'), 'node dist/cli.js');
  assert.equal(cliCommand('/home/a/supcon/dist/cli.js', '/tmp'), 'node /home/a/supcon/dist/cli.js');
  assert.equal(cliCommand('/home/a/my runs/dist/cli.js', '/tmp'), `node '/home/a/my runs/dist/cli.js'`);
});

test('through the installed bin, or npm’s shim into node_modules, the command is supcon-lab', () => {
  assert.equal(cliCommand('/usr/local/bin/supcon-lab', '/home/a'), 'supcon-lab');
  assert.equal(cliCommand('/usr/lib/node_modules/supcon-lab/dist/cli.js', '/home/a'), 'supcon-lab');
});

test('an unknown override field points to the help as the program was run; other errors pass', () => {
  const overrides = { colour: 'red' };
  let caught: unknown;
  try {
    applyOverrides({}, overrides);
  } catch (e) {
    caught = withFieldsHint(e, overrides);
  }
  assert.ok(caught instanceof ConfigError);
  assert.equal(caught.message, `colour: unknown field (see \`${cliCommand()} train --help\`)`);
  const other = new ConfigError('epochs', 'expected an integer');
  assert.equal(withFieldsHint(other, { epochs: 'x' }), other);
});

test('the usage text names the commands as run: node dist/cli.js from the checkout', () => {
  const r = spawnSync(process.execPath, [path.relative(process.cwd(), CLI), '--help'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^ {2}node dist\/cli\.js train {3}\[--config FILE\]/m);
  assert.doesNotMatch(r.stdout, /supcon-lab train/);
});
