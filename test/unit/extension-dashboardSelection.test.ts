import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { keepExistingRuns } from '../../src/extension/dashboard/dashboardSelection';
import { tempDirs } from './tempDirs';

const tmp = tempDirs('selection-');

test('a deleted run leaves the dashboard selection (its card and series go); a live run not yet on disk stays', () => {
  const dir = tmp();
  const ids = ['20261128-100000-a-0001', '20261128-110000-b-0002', '20261128-120000-c-0003'];
  for (const id of ids.slice(0, 2)) fs.mkdirSync(path.join(dir, id));
  fs.rmSync(path.join(dir, ids[0]), { recursive: true });
  assert.deepEqual(
    keepExistingRuns(ids, dir, (id) => id === ids[2]),
    [ids[1], ids[2]],
  );
  assert.deepEqual(
    keepExistingRuns(ids, undefined, () => false),
    ids,
  );
});
