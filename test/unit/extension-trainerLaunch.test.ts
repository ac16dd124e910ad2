import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { backendOverride, cliFromSetting, trainerLaunch } from '../../src/extension/launch/trainerLaunch';

test('the shipped trainer runs on the editor runtime as plain Node', () => {
  const l = trainerLaunch({ nodePath: '', trainerPath: '', modulePaths: ['/gpu/node_modules'], installPrefix: '/gpu' }, '/ext', { PATH: '/bin', NODE_PATH: '/x' }, '/code/node');
  assert.equal(l.node, '/code/node');
  assert.equal(l.cli, path.join('/ext', 'dist', 'cli.js'));
  assert.equal(l.env.ELECTRON_RUN_AS_NODE, '1');
  assert.equal(l.env.NODE_PATH, ['/gpu/node_modules', '/x'].join(path.delimiter), 'the CUDA backend installed for the extension is found first');
  assert.equal(l.env.SUPCON_INSTALL_PREFIX, '/gpu', "the trainer's install hints name that folder, not the extension's own");
});

test('settings name another Node and another trainer', () => {
  const l = trainerLaunch({ nodePath: '/usr/bin/node', trainerPath: '/opt/supcon', modulePaths: [] }, '/ext', {}, '/code/node');
  assert.equal(l.node, '/usr/bin/node');
  assert.equal(l.env.ELECTRON_RUN_AS_NODE, undefined);
  assert.equal(l.cli, path.join('/opt/supcon', 'dist', 'cli.js'));
  assert.equal(cliFromSetting('/opt/x/cli.js', '/ext'), '/opt/x/cli.js');
});

test('the backend setting becomes an override unless it is auto', () => {
  assert.deepEqual(backendOverride('wasm'), { backend: 'wasm' });
  assert.deepEqual(backendOverride('auto'), {});
  assert.deepEqual(backendOverride(''), {});
});
