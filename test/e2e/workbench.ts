/** Playwright steps on the VS Code workbench: palette, quick input, notifications, views, the dashboard webview. */
import type { FrameLocator, Locator, Page } from 'playwright-core';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns a value other than undefined. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000, everyMs = 250): Promise<T> {
  const t0 = Date.now();
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (${(lastError as Error).message})` : ''}`);
    await sleep(everyMs);
  }
}

/** Runs a command by its full palette label, retrying while the extension is still registering. */
export async function runCommand(page: Page, label: string): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  const row = widget.locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) }).first();
  const input = widget.locator('.quick-input-box input');
  await waitFor(
    `"${label}" in the command palette`,
    async () => {
      await page.keyboard.press('Escape');
      await page.keyboard.press('F1');
      // Type only once the palette's own input has focus, or the keys land in an editor.
      await waitFor(
        'the command palette input',
        async () => ((await input.evaluate((el) => el === document.activeElement && (el as HTMLInputElement).value.startsWith('>'))) ? true : undefined),
        5000,
        50,
      );
      await page.keyboard.type(label);
      try {
        await row.waitFor({ timeout: 3000 });
        return true;
      } catch {
        return undefined;
      }
    },
    90_000,
    500,
  );
  await row.click();
}

/** Answers the open quick input: types `value` when given, then Enter. */
export async function answer(page: Page, value?: string): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  await widget.waitFor({ state: 'visible', timeout: 15_000 });
  // keys go to the focused element: a webview that kept focus would take them (Ctrl+A selecting its page)
  await widget.locator('.quick-input-box input').focus();
  if (value !== undefined) {
    await page.keyboard.press('Control+A');
    await page.keyboard.type(value);
  }
  const title = await widget.locator('.quick-input-title').textContent();
  await page.keyboard.press('Enter');
  // The next step replaces the widget's title; wait for the change so keys go to the right step.
  await waitFor(
    'the next input step',
    async () => {
      const visible = await widget.isVisible();
      if (!visible) return true;
      return (await widget.locator('.quick-input-title').textContent()) !== title ? true : undefined;
    },
    10_000,
    100,
  );
}

/**
 * Chooses `label` in the open context menu. A click that lands while the menu
 * is still settling leaves it open with the item highlighted; Enter then runs it.
 */
export async function contextMenuAction(page: Page, label: string): Promise<void> {
  const menu = page.locator('.monaco-menu');
  await menu.locator('.action-label', { hasText: label }).click({ timeout: 15_000 });
  const closed = await menu.waitFor({ state: 'hidden', timeout: 3000 }).then(
    () => true,
    () => false,
  );
  if (!closed) {
    await menu.locator('.action-label', { hasText: label }).hover();
    await page.keyboard.press('Enter');
    await menu.waitFor({ state: 'hidden', timeout: 10_000 });
  }
}

export function notification(page: Page, text: string | RegExp): Locator {
  return page.locator('.notification-toast', { hasText: text });
}

export function dashboard(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

export async function showSupConViews(page: Page): Promise<Locator> {
  const item = page.locator('.activitybar .action-item a[aria-label^="SupCon"]');
  await item.waitFor({ timeout: 30_000 });
  const sidebar = page.locator('#workbench\\.view\\.extension\\.supconLab');
  if (!(await sidebar.isVisible())) await item.click();
  await sidebar.waitFor({ state: 'visible', timeout: 15_000 });
  return sidebar;
}

/** The rows of a tree view in the SupCon side bar, by view title. */
export function treeRows(sidebar: Locator, view: 'Runs' | 'Checkpoints' | 'Sweeps'): Locator {
  const pane = sidebar.locator('.pane', { has: sidebar.page().locator('.pane-header', { hasText: new RegExp(`^\\s*${view}`, 'i') }) });
  return pane.locator('.monaco-list-row');
}
