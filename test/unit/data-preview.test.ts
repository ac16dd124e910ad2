import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { balancedIndices } from '../../src/trainer/data/common';
import { makeSynthetic } from '../../src/trainer/data/synthetic';
import { Rng } from '../../src/trainer/rng';
import { writePreviewPng } from '../../src/trainer/preview';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'preview-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const augment = { minCropScale: 0.2, flip: true, jitter: 0.4, jitterProb: 0.8, grayscaleProb: 0.2 };

test('preview: one row per image, the original then its views, upscaled, seeded', async () => {
  const ds = makeSynthetic(40, 10);
  const file = path.join(dir, 'sub', 'preview.png');
  await writePreviewPng(ds, 3, augment, 4, 7, file);
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  // 28-pixel tiles are scaled 4x to 112 with 4-pixel gaps: 4 columns of tiles, 4 rows.
  assert.deepEqual([info.width, info.height], [4 + 4 * 116, 4 + 4 * 116]);
  const pixelAt = (x: number, y: number) => data[(y * info.width + x) * info.channels];
  assert.equal(pixelAt(0, 0), 255, 'background');
  // The first tile of row 0 is the first chosen image, unaugmented, each pixel a 4x4 block.
  const shown = balancedIndices(ds.train.labels, 4, new Rng(7))[0];
  for (const [y, x] of [
    [0, 0],
    [13, 9],
    [27, 27],
  ]) {
    const source = ds.train.images[shown * 784 + y * 28 + x];
    for (const [dy, dx] of [
      [0, 0],
      [3, 3],
    ])
      assert.equal(pixelAt(4 + 4 * x + dx, 4 + 4 * y + dy), source);
  }
  const first = fs.readFileSync(file);
  await writePreviewPng(ds, 3, augment, 4, 7, file);
  assert.deepEqual(fs.readFileSync(file), first, 'same seed, same picture');
  await writePreviewPng(ds, 3, augment, 4, 8, file);
  assert.notDeepEqual(fs.readFileSync(file), first);
});
