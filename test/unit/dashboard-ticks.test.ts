import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CHARTS, compactTick, exportNotes, latestText, legendValue, lineName, logTickFilter } from '../../webview/chartSpecs';

test('axis ticks stay short', () => {
  assert.deepEqual([0, 4, 2.5, 0.05, 0.000123, 123456, 1234.5].map(compactTick), ['0', '4', '2.5', '0.05', '1.2e-4', '1.2e+5', '1230']);
});

test('log axes label 1, 2 and 5 times each power of ten, so a range inside one decade reads', () => {
  assert.deepEqual(logTickFilter([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20, 30, 0.2, 0.05, 0.07]), [1, 2, null, null, 5, null, null, null, null, 10, 20, null, 0.2, 0.05, null]);
});

test('chart headers show the raw latest value and label the smoothed one; smoothed lines are named as such', () => {
  const loss = CHARTS.find((c) => c.id === 'loss')!;
  assert.equal(latestText(7.648, 7.8451, loss.format), '7.648 · smoothed 7.845');
  assert.equal(latestText(7.648, undefined, loss.format), '7.648');
  assert.equal(lineName(loss, loss.lines[0], 'run a', true), 'run a (smoothed)');
  const sim = CHARTS.find((c) => c.id === 'similarity')!;
  assert.equal(lineName(sim, sim.lines[1], 'run a', false), 'neg run a');
  // one run: its card names it, the legend names what the line plots
  assert.equal(lineName(loss, loss.lines[0], undefined, true), `${loss.title} (smoothed)`);
  assert.equal(lineName(sim, sim.lines[0], undefined, true), 'pos (smoothed)');
});

test("an exported image names each chart's axes, which lines are dashed, and the smoothing", () => {
  const notes = exportNotes(CHARTS, 0.6, true);
  assert.equal(notes.axes.loss, 'x: step, y: loss (log scale)');
  assert.equal(notes.axes.probe, 'x: probe epoch, y: linear probe accuracy');
  assert.equal(
    notes.key,
    'solid: pos (positive vs negative similarity), test (linear probe accuracy), views (alignment (lower: positives closer)); dashed: neg (positive vs negative similarity), train (linear probe accuracy), same class (alignment (lower: positives closer))',
  );
  assert.equal(notes.smoothing, 'Smoothing 0.60: debiased exponential moving average; faint lines are the raw values.');
  assert.equal(exportNotes(CHARTS, 0, false).smoothing, 'No smoothing: raw values.');
});

test('a log axis with fewer than two 1-2-5 ticks labels every tick', () => {
  assert.deepEqual(logTickFilter([6, 7, 8, 9]), [6, 7, 8, 9]);
});

test('an idle legend, or one with no data yet, shows no value ("step", not "step: —"); a gap under the cursor shows a dash', () => {
  const loss = CHARTS.find((c) => c.id === 'loss')!;
  assert.equal(legendValue(null, null, String), '', 'cursor off the data');
  assert.equal(legendValue(null, 4, loss.format), '—', 'no point of this line at the cursor');
  assert.equal(legendValue(7.648, 4, loss.format), loss.format(7.648));
});
