// `supcon-lab embed` on a tiny real run: a readable PNG, a CSV with one row a
// point, the dashboard's JSON (valid by the contract, identical for one seed),
// UMAP as well as PCA, and clear errors for bad flags and checkpoints.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { parseEmbeddingMap } from '../../src/protocol/embeddingMap';
import { tempDirs } from '../unit/tempDirs';
import { CLI, runTrainer } from './runTrainer';

const tmp = tempDirs('supcon-embed-');
const run = promisify(execFile);
const embed = (...args: string[]) => run(process.execPath, [CLI, 'embed', ...args], { encoding: 'utf8' });

describe('supcon-lab embed', () => {
  let runDir = '';
  let out = '';
  before(async () => {
    out = tmp();
    const trained = await runTrainer([
      'train',
      '--runs-dir',
      tmp(),
      '--dataset.kind',
      'synthetic',
      '--batchSize',
      '32',
      '--epochs',
      '1',
      '--probe.epochs',
      '1',
      '--backend',
      'wasm',
      '--monitor.samples',
      '120',
      '--monitor.bank',
      '200',
    ]);
    assert.equal(trained.code, 0, trained.stderr);
    runDir = trained.runDir;
  });

  it('writes a readable PNG of the map', async () => {
    const file = path.join(out, 'map.png');
    const { stdout } = await embed('--run', runDir, '--out', file);
    assert.equal(stdout.trim(), file);
    const meta = await sharp(file).metadata();
    assert.equal(meta.format, 'png');
    assert.ok(meta.width! >= 720 && meta.height! >= 720);
    // class colours are drawn: the image is not blank
    const { channels } = await sharp(file).stats();
    assert.ok(channels[0].min < 200, 'coloured points on a white background');
  });

  it('writes CSV and JSON of the same points, reproducibly', async () => {
    const csv = path.join(out, 'map.csv');
    const json = path.join(out, 'map.json');
    await embed('--run', runDir, '--checkpoint', 'last', '--method', 'pca', '--out', csv);
    await embed('--run', runDir, '--out', json);
    const lines = fs.readFileSync(csv, 'utf8').trim().split('\n');
    assert.equal(lines[0], 'index,label,class,x,y');
    assert.equal(lines.length, 121);
    const map = parseEmbeddingMap(JSON.parse(fs.readFileSync(json, 'utf8')));
    assert.ok(map, 'the JSON passes the contract');
    assert.equal(map.checkpoint, 'last');
    assert.equal(map.epoch, 1);
    assert.equal(map.x.length, 120);
    assert.equal(map.images!.height * map.images!.width * map.images!.channels * 120, Buffer.from(map.images!.data, 'base64').length);
    lines.slice(1).forEach((line, i) => {
      const [index, label, , x, y] = line.split(',');
      assert.equal(Number(index), map.indices[i]);
      assert.equal(Number(label), map.labels[i]);
      assert.equal(Number(x), map.x[i]);
      assert.equal(Number(y), map.y[i]);
    });
    // the subset is the monitor's: fixed by the seed
    const again = path.join(out, 'again.json');
    await embed('--run', runDir, '--out', again);
    assert.deepEqual(JSON.parse(fs.readFileSync(again, 'utf8')), map);
  });

  it('projects with UMAP when asked', async () => {
    const file = path.join(out, 'umap.json');
    await embed('--run', runDir, '--method', 'umap', '--out', file);
    const map = parseEmbeddingMap(JSON.parse(fs.readFileSync(file, 'utf8')));
    assert.ok(map && map.method === 'umap' && map.x.length === 120);
    assert.ok(new Set(map.x).size > 100, 'points are spread');
  });

  it('names the flag or checkpoint at fault', async () => {
    await assert.rejects(embed('--run', runDir, '--method', 'tsne', '--out', 'x.png'), /--method: expected one of pca, umap, got "tsne"/);
    await assert.rejects(embed('--run', runDir, '--out', 'x.gif'), /--out: expected a \.png, \.csv or \.json file/);
    await assert.rejects(embed('--run', runDir, '--checkpoint', 'epoch-9', '--out', path.join(out, 'x.png')), /no complete checkpoint "epoch-9" \(have: .*last/);
    await assert.rejects(embed('--out', 'x.png'), /--run: expected a run folder/);
  });
});
