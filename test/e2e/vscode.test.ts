/**
 * End to end in a real VS Code (code-server + headless Chromium): this
 * platform's packaged .vsix, installed as a user installs it. A new user's
 * first click (Start SupCon Run -> Quick check) trains on the shipped
 * Fashion-MNIST and ends with a probe result, with no npm call; the dashboard
 * charts fill while it is live, its Map tab draws the embedding, the trees
 * show it with its checkpoint, a second run, set up with Customize…, stops
 * through its notification's Cancel; an earlier checkpoint's probe keeps the
 * run's headline; a run followed again after a reload stops with a checkpoint
 * at its last step; a deleted run leaves the dashboard; a run killed
 * mid-training reads interrupted with Resume on its card; a views study started
 * from the palette fills its results table. Screenshots go to test-artifacts/.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { runLabel } from '../../src/extension/runs/runPresentation';
import { ensureTools, npmTrap, packageVsix, repoRoot, Session, startSession } from './codeServer';
import { answer, contextMenuAction, dashboard, notification, runCommand, showSupConViews, treeRows, waitFor } from './workbench';

const artifacts = path.join(repoRoot, 'test-artifacts');
/** Customize…'s steps for a supcon run: dataset, method, encoder, epochs, batch, views, temperature, seed, name, confirm. */
const CUSTOM_STEPS = 10;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

const lap = (() => {
  const t0 = Date.now();
  return (msg: string) => console.log(`[e2e ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${msg}`);
})();

test('SupCon Lab in VS Code: quick check on the first click, live dashboard, trees, customized run, cancel, views study', { timeout: 35 * 60_000 }, async () => {
  assert.ok(fs.existsSync(path.join(repoRoot, 'dist', 'cli.js')), 'dist/cli.js is missing: run `npm run build` first');
  assert.ok(fs.existsSync(path.join(repoRoot, 'dist', 'webview.js')), 'dist/webview.js is missing: run `npm run build` first');
  ensureTools();
  fs.mkdirSync(artifacts, { recursive: true });
  const state = fs.mkdtempSync(path.join(os.tmpdir(), 'supcon-e2e-'));
  const vsix = packageVsix(state);
  const npm = npmTrap(state);
  lap(`packaged ${path.basename(vsix)} (${(fs.statSync(vsix).size / 1e6).toFixed(1)} MB)`);

  let session: Session | undefined;
  let ok = false;
  try {
    session = await startSession({
      vsix,
      state,
      port: await freePort(),
      pathFirst: npm.bin,
      // Small, fast customized runs start from these (the quick check has its own settings).
      settings: { 'supconLab.defaults': { 'dataset.kind': 'synthetic', epochs: 2, batchSize: 32, 'dataset.trainLimit': 256, 'dataset.testLimit': 128, 'probe.epochs': 2 } },
    });
    const { page } = session;
    const shot = (name: string) => page.screenshot({ path: path.join(artifacts, name) });
    lap('workbench up');

    // 1. A new user's first click: Start SupCon Run, then Quick check, nothing else.
    await runCommand(page, 'SupCon: Start SupCon Run');
    const start = page.locator('.quick-input-widget');
    const quick = start.locator('.monaco-list-row', { hasText: 'Quick check (about 1 min)' });
    await quick.waitFor({ timeout: 15_000 });
    assert.equal(await start.locator('.monaco-list-row').count(), 3);
    assert.match((await start.innerText()) ?? '', /Run with default settings[\s\S]*Customize…/);
    await shot('start-run.png');
    await quick.click();
    lap('quick check started');

    // 2. The dashboard opens by itself; its loss chart gets points while the run is live.
    const frame = dashboard(page);
    const first = await waitFor(
      'loss points while the run is live',
      async () => {
        const info = frame.locator('.info-card').first();
        const [points, runState, runId] = await Promise.all([
          frame.locator('.card[data-metric="loss"]').getAttribute('data-points', { timeout: 1000 }),
          info.getAttribute('data-state', { timeout: 1000 }),
          info.getAttribute('data-run-id', { timeout: 1000 }),
        ]);
        return Number(points) > 0 && runState === 'running' && runId ? { points: Number(points), runId } : undefined;
      },
      240_000,
    );
    lap(`live: ${first.points} loss points for ${first.runId}`);
    assert.match(runLabel(first.runId), /^quick-check-/);
    const stepText = await waitFor(
      'step k of n in the progress notification',
      async () => {
        const text = await notification(page, /SupCon: quick check/).innerText({ timeout: 1000 });
        return /step \d+\/15/.test(text) ? text.replace(/\s+/g, ' ') : undefined;
      },
      120_000,
    );
    lap(`progress: ${stepText}`);
    await shot('dashboard-live.png');

    // 3. It completes, with the probe's top-1 in the notification.
    const done = notification(page, new RegExp(`${runLabel(first.runId)} completed`));
    await done.waitFor({ timeout: 900_000 });
    const doneText = (await done.innerText()) ?? '';
    assert.match(doneText, /Probe top-1: \d+(\.\d)?%/);
    assert.match(doneText, /Open Dashboard/);
    const finalPoints = Number(await frame.locator('.card[data-metric="loss"]').getAttribute('data-points'));
    assert.ok(finalPoints >= first.points);
    assert.equal(await frame.locator('.info-card').first().getAttribute('data-state'), 'completed');
    lap(`completed: ${doneText.replace(/\s+/g, ' ').trim()}`);
    await shot('dashboard.png');

    // 3b. The representation diagnostics chart fills, and the Map tab draws the run's embedding by class beside the class-similarity heat map.
    // the quick check trains one epoch: a point before training and one after it
    await waitFor(
      'kNN monitor points (before training and after the epoch)',
      async () => (Number(await frame.locator('.card[data-metric="knn"]').getAttribute('data-points', { timeout: 1000 })) === 2 ? true : undefined),
      30_000,
    );
    await frame.locator('#tab-map').click();
    const mapPoints = await waitFor(
      'points on the embedding map',
      async () => {
        const n = Number(await frame.locator('canvas.map-canvas').getAttribute('data-points', { timeout: 1000 }));
        return n > 0 ? n : undefined;
      },
      180_000,
    );
    assert.equal(mapPoints, 2000, 'every image of the monitor subset (the 2,000 test images of the quick check) is a point');
    assert.equal(await frame.locator('canvas.heatmap').getAttribute('data-classes'), '10');
    assert.equal(await frame.locator('.map-legend .legend-item').count(), 10);
    lap(`map tab: ${mapPoints} points and the 10 x 10 class-similarity heat map`);
    await shot('map.png');
    await frame.locator('#tab-charts').click();

    // 4. The trees show it: completed with its top-1, and its checkpoints.
    const sidebar = await showSupConViews(page);
    const runRow = treeRows(sidebar, 'Runs').filter({ hasText: runLabel(first.runId) });
    await runRow.locator('.codicon-pass').waitFor({ timeout: 30_000 });
    assert.match((await runRow.textContent()) ?? '', /supcon · T 0\.1 · 2 views · batch 128 · top-1 \d/);
    const checkpoints = treeRows(sidebar, 'Checkpoints').filter({ has: page.locator('.codicon-save') });
    await checkpoints.first().waitFor({ timeout: 30_000 });
    lap(`trees: run completed, ${await checkpoints.count()} checkpoint(s)`);
    await shot('sidebar.png');

    // 5. A longer second run set up with Customize… (200 epochs), stopped with the progress notification's Cancel.
    await runCommand(page, 'SupCon: Start SupCon Run');
    await answer(page, 'Customize');
    for (let i = 0; i < CUSTOM_STEPS; i++) await answer(page, i === 3 ? '200' : undefined);
    const second = await waitFor(
      'the second run live in the dashboard',
      async () => {
        const info = frame.locator('.info-card').first();
        const [runId, runState, points] = await Promise.all([
          info.getAttribute('data-run-id', { timeout: 1000 }),
          info.getAttribute('data-state', { timeout: 1000 }),
          frame.locator('.card[data-metric="loss"]').getAttribute('data-points', { timeout: 1000 }),
        ]);
        return runId && runId !== first.runId && runState === 'running' && Number(points) > 0 ? runId : undefined;
      },
      240_000,
    );
    // Its name says what differs from the defaults; the dashboard names its key settings.
    assert.match(runLabel(second), /^supcon-e200-/);
    assert.match((await frame.locator('.info-card').first().locator('.run-label').innerText()) ?? '', /\(supcon · T 0\.1 · 2 views · batch 32\)/);
    const progress = notification(page, /SupCon: supcon-e200 \(supcon on synthetic\)/);
    await progress.getByRole('button', { name: 'Cancel' }).click();
    lap(`cancel clicked for ${second}`);
    await notification(page, new RegExp(`${runLabel(second)} stopped at epoch`)).waitFor({ timeout: 300_000 });
    const stoppedRow = treeRows(sidebar, 'Runs').filter({ hasText: runLabel(second) });
    await stoppedRow.locator('.codicon-debug-stop').waitFor({ timeout: 30_000 });
    await waitFor(
      'the stopped state in the dashboard',
      async () => ((await frame.locator('.info-card').first().getAttribute('data-state', { timeout: 1000 })) === 'stopped' ? true : undefined),
      30_000,
    );
    lap('second run marked stopped');
    await shot('sidebar-stopped.png');

    // 6. Both runs overlaid: tick the first in the dashboard's run list.
    await frame.locator(`vscode-checkbox[data-run-id="${first.runId}"]`).click();
    await waitFor('two runs overlaid', async () => ((await frame.locator('.info-card').count()) === 2 ? true : undefined), 30_000);
    lap('two runs overlaid');
    await shot('dashboard-compare.png');
    await frame.locator('#tab-params').click();
    await frame.locator('vscode-data-grid vscode-data-grid-row').nth(1).waitFor({ timeout: 15_000 });
    await shot('params.png');
    await frame.locator('#tab-charts').click();

    // 7. The augmentation preview: the trainer's PNG in the dashboard's Augmentations tab.
    await runCommand(page, 'SupCon: Preview Augmented Views');
    await waitFor(
      'the preview image',
      async () => (((await frame.locator('.preview img').getAttribute('src', { timeout: 1000 })) ?? '').startsWith('data:image/png;base64,') ? true : undefined),
      120_000,
    );
    lap('augmentation preview shown');
    await shot('preview.png');

    // 8. A config file with a bad field gets a diagnostic naming it.
    fs.writeFileSync(path.join(session.workspace, 'bad.supcon.json'), '{\n  "method": "supcon",\n  "epochs": -1\n}\n');
    await page.keyboard.press('Control+P');
    await page.keyboard.type('bad.supcon.json');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'bad.supcon.json' }).first().waitFor({ timeout: 15_000 });
    await page.keyboard.press('Enter');
    await page.locator('.tab.active', { hasText: 'bad.supcon.json' }).waitFor({ timeout: 15_000 });
    await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
    await page.locator('.markers-panel .monaco-list-row', { hasText: /epochs: expected an integer >= 0.*got -1/ }).waitFor({ timeout: 30_000 });
    lap('config diagnostic names the field');
    await shot('config-diagnostic.png');

    const body = frame.locator('body');
    const csp = await body.getAttribute('data-csp-violations');
    assert.equal(csp, null, `the dashboard hit ${csp} CSP violations, the last: ${await body.getAttribute('data-csp-blocked')}`);

    // 9. After a window reload the dashboard comes back with both runs selected.
    await runCommand(page, 'Developer: Reload Window');
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await page.locator('.tab', { hasText: 'SupCon Dashboard' }).click({ timeout: 60_000 });
    await waitFor(
      'the restored dashboard',
      async () =>
        (await frame.locator('.info-card').count()) === 2 && Number(await frame.locator('.card[data-metric="loss"]').getAttribute('data-points', { timeout: 1000 })) > 0
          ? true
          : undefined,
      90_000,
    );
    lap('dashboard restored after reload');
    assert.deepEqual(npm.calls(), [], 'the extension called npm');

    // 10. Probing a checkpoint other than the final one (the quick check's 'best') keeps the run's headline (the final checkpoint's) and adds a row of its own.
    const runsTree = await showSupConViews(page);
    const firstRow = treeRows(runsTree, 'Runs').filter({ hasText: runLabel(first.runId) });
    const headline = ((await firstRow.textContent()) ?? '').match(/top-1 [\d.]+% \(last\)/)?.[0];
    assert.ok(headline, `the run row names the checkpoint of its top-1: ${await firstRow.textContent()}`);
    await firstRow.click({ button: 'right' });
    await contextMenuAction(page, 'Run Linear Probe on Checkpoint');
    await answer(page, 'best');
    const probed = notification(page, new RegExp(`probe of ${runLabel(first.runId)} completed`));
    await probed.waitFor({ timeout: 300_000 });
    assert.match((await probed.innerText()) ?? '', /Probe top-1: \d+(\.\d)?% \(best\)/);
    await waitFor('the probe table row of best', async () => ((await frame.locator('.probe-table tr[data-checkpoint="best"]').count()) > 0 ? true : undefined), 30_000);
    assert.ok(((await firstRow.textContent()) ?? '').includes(headline), "the headline is still the final checkpoint's");
    const firstCard = frame.locator(`.info-card[data-run-id="${first.runId}"]`);
    assert.ok(((await firstCard.textContent()) ?? '').includes('(last)'), 'the card names the checkpoint of its top-1');
    lap(`best probed; headline kept: ${headline}`);
    await shot('probe-table.png');

    // 11. A run started here, the window reloaded: it is followed again, and Stop ends it stopped with a checkpoint at its last step.
    /** Starts a customized run of 200 epochs and waits for its card, running, first in the dashboard; gives its run id. */
    const startLongRun = async (what: string, earlier: string[]): Promise<string> => {
      await runCommand(page, 'SupCon: Start SupCon Run');
      await answer(page, 'Customize');
      for (let i = 0; i < CUSTOM_STEPS; i++) await answer(page, i === 3 ? '200' : undefined);
      return waitFor(
        what,
        async () => {
          const info = frame.locator('.info-card').first();
          const [runId, runState] = await Promise.all([info.getAttribute('data-run-id', { timeout: 1000 }), info.getAttribute('data-state', { timeout: 1000 })]);
          return runId && !earlier.includes(runId) && runState === 'running' ? runId : undefined;
        },
        240_000,
      );
    };
    const third = await startLongRun('the third run live in the dashboard', [first.runId, second]);
    const thirdDir = path.join(session.workspace, '.supcon', 'runs', third);
    const readJsonFile = (f: string) => JSON.parse(fs.readFileSync(f, 'utf8'));
    await waitFor('the third run past its first steps', async () => (readJsonFile(path.join(thirdDir, 'status.json')).globalStep > 2 ? true : undefined), 120_000);
    await runCommand(page, 'Developer: Reload Window');
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await notification(page, /followed again after a reload/).waitFor({ timeout: 90_000 });
    lap(`window reloaded while ${third} trains; its notification is back`);
    await runCommand(page, 'SupCon: Stop Run');
    const stopped = await waitFor(
      'the third run stopped',
      async () => {
        const status = readJsonFile(path.join(thirdDir, 'status.json'));
        return status.state === 'stopped' ? status : undefined;
      },
      120_000,
    );
    const last = readJsonFile(path.join(thirdDir, 'checkpoints', 'last', 'manifest.json'));
    assert.equal(last.globalStep, stopped.globalStep, 'a checkpoint at the last step taken');
    const thirdTree = await showSupConViews(page);
    await treeRows(thirdTree, 'Runs')
      .filter({ hasText: runLabel(third) })
      .locator('.codicon-debug-stop')
      .waitFor({ timeout: 30_000 });
    await page.locator('.tab', { hasText: 'SupCon Dashboard' }).click({ timeout: 60_000 });
    await waitFor(
      'the stopped card',
      async () => ((await frame.locator(`.info-card[data-run-id="${third}"]`).getAttribute('data-state', { timeout: 1000 })) === 'stopped' ? true : undefined),
      60_000,
    );
    lap(`stopped after the reload at step ${stopped.globalStep}, with its checkpoint`);

    // 12. A deleted run leaves the dashboard at once.
    await treeRows(await showSupConViews(page), 'Runs')
      .filter({ hasText: runLabel(third) })
      .click({ button: 'right' });
    await contextMenuAction(page, 'Delete Run');
    await page.locator('.monaco-dialog-box .monaco-button', { hasText: 'Delete' }).click({ timeout: 15_000 });
    await waitFor('the deleted run gone from the dashboard', async () => ((await frame.locator(`.info-card[data-run-id="${third}"]`).count()) === 0 ? true : undefined), 30_000);
    assert.ok(!fs.existsSync(thirdDir));
    lap('deleted run gone from the dashboard');

    // 12b. A run killed mid-training (no end event): its card reads interrupted, as the Runs tree does, and offers Resume, not Stop; Resume asks for its checkpoint.
    const killed = await startLongRun('the run to kill live in the dashboard', [first.runId, second, third]);
    const killedDir = path.join(session.workspace, '.supcon', 'runs', killed);
    await waitFor('a checkpoint of the run to kill', async () => (fs.existsSync(path.join(killedDir, 'checkpoints', 'last', 'manifest.json')) ? true : undefined), 180_000);
    process.kill(readJsonFile(path.join(killedDir, 'status.json')).pid, 'SIGKILL');
    const killedCard = frame.locator(`.info-card[data-run-id="${killed}"]`);
    await waitFor("the killed run's card interrupted", async () => ((await killedCard.getAttribute('data-state', { timeout: 1000 })) === 'interrupted' ? true : undefined), 60_000);
    assert.equal(await killedCard.locator('.state').innerText(), 'interrupted');
    assert.equal(await killedCard.locator('vscode-button', { hasText: 'Stop' }).count(), 0, 'no Stop on a run that is not running');
    await treeRows(await showSupConViews(page), 'Runs')
      .filter({ hasText: runLabel(killed) })
      .locator('.codicon-warning')
      .waitFor({ timeout: 30_000 });
    await page.locator('.tab', { hasText: 'SupCon Dashboard' }).click({ timeout: 60_000 });
    await frame.locator('#tab-charts').click();
    await killedCard.locator('vscode-button', { hasText: 'Resume' }).click({ timeout: 15_000 });
    const resumePick = page.locator('.quick-input-widget', { hasText: `Resume: checkpoint of ${killed}` });
    await resumePick.locator('.monaco-list-row', { hasText: 'last' }).waitFor({ timeout: 30_000 });
    await shot('killed-run-card.png');
    await page.keyboard.press('Escape');
    lap(`killed run ${killed}: card interrupted, Resume asks for its checkpoint`);

    // 13. A views study from the palette (one seed): its points in the Sweeps view, its results table filled.
    await runCommand(page, 'SupCon: Start Views Study');
    await answer(page); // SupCon (L_out)
    await answer(page, '1 seed');
    await frame.locator('.results-table').waitFor({ timeout: 60_000 });
    lap('views study started, results tab open');
    const table = frame.locator('.results-table tbody');
    await waitFor(
      'every point of the study in the results table',
      async () => {
        const rows = await table.locator('tr').allTextContents();
        return rows.length === 9 && rows.every((r) => !r.includes('no result')) ? rows : undefined;
      },
      900_000,
      2000,
    );
    const floorRow = (await table.locator('tr[data-rule="floor"]').textContent()) ?? '';
    assert.match(floorRow, /floor \(epochs 0\).*\d+\.\d\d%/);
    assert.equal(await table.locator('tr[data-rule="equal-compute"]').count(), 4);
    assert.equal(await frame.locator('.results-plot canvas').count(), 1);
    const sweepRow = treeRows(await showSupConViews(page), 'Sweeps')
      .filter({ hasText: /^views-/ })
      .first();
    await waitFor('the sweep done in the Sweeps view', async () => (/8\/8 done/.test((await sweepRow.textContent({ timeout: 1000 })) ?? '') ? true : undefined), 60_000);
    lap('views study: 9 result rows, sweep done');
    await shot('views-study.png');
    ok = true;
  } finally {
    if (session && !ok) await session.page.screenshot({ path: path.join(artifacts, 'failure.png') }).catch(() => undefined);
    await session?.close();
    const log = path.join(state, 'code-server.log');
    if (!ok && fs.existsSync(log)) fs.copyFileSync(log, path.join(artifacts, 'code-server.log'));
    fs.rmSync(state, { recursive: true, force: true });
  }
});
