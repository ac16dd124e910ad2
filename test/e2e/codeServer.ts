/**
 * Real VS Code for the end-to-end test: code-server (installed by
 * setup-code-server.sh into a cache outside the repository) with the
 * packaged .vsix installed, on loopback, and Debian's Chromium driven by
 * playwright-core with a fresh profile.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BrowserContext, chromium, Page } from 'playwright-core';

export const repoRoot = path.resolve(__dirname, '..', '..');
const cacheDir = process.env.SUPCON_E2E_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'supcon-lab-e2e');
const csDir = path.join(cacheDir, 'code-server');
const csBin = path.join(csDir, 'node_modules', '.bin', 'code-server');
const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** Installs code-server and Chromium when missing (idempotent; quick when present). */
export function ensureTools(): void {
  execFileSync('bash', [path.join(__dirname, 'setup-code-server.sh'), csDir], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (!fs.existsSync(chromiumPath)) throw new Error(`no Chromium at ${chromiumPath}`);
}

/** Packages the extension as users get it: this platform's .vsix from scripts/package.mjs (bundles, data, native binaries). */
export function packageVsix(outDir: string): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { name: string; version: string };
  const target = `${process.platform}-${process.arch}`;
  execFileSync(process.execPath, [path.join(repoRoot, 'scripts', 'package.mjs'), '--out', outDir, target], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  return path.join(outDir, `${pkg.name}-${target}-${pkg.version}.vsix`);
}

/**
 * A folder to put first on code-server's PATH, holding `npm` and `npx` that
 * only record that they were called (and fail): the extension must never need
 * them. Returns the folder and a reader of the calls recorded.
 */
export function npmTrap(state: string): { bin: string; calls: () => string[] } {
  const bin = path.join(state, 'npm-trap');
  const log = path.join(state, 'npm-calls.log');
  fs.mkdirSync(bin, { recursive: true });
  for (const name of ['npm', 'npx']) {
    fs.writeFileSync(path.join(bin, name), `#!/bin/sh\necho "${name} $*" >> '${log}'\nexit 1\n`, { mode: 0o755 });
  }
  return { bin, calls: () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : []) };
}

export interface Session {
  page: Page;
  workspace: string;
  state: string;
  pageErrors: string[];
  close(): Promise<void>;
}

export async function startSession(opts: { vsix: string; state: string; settings: Record<string, unknown>; port: number; pathFirst?: string }): Promise<Session> {
  const { state, port } = opts;
  const env = opts.pathFirst ? { ...process.env, PATH: `${opts.pathFirst}${path.delimiter}${process.env.PATH ?? ''}` } : process.env;
  const ext = path.join(state, 'ext');
  const data = path.join(state, 'data');
  const workspace = path.join(state, 'ws');
  for (const d of [ext, data, workspace]) fs.rmSync(d, { recursive: true, force: true });
  fs.mkdirSync(path.join(data, 'User'), { recursive: true });
  fs.mkdirSync(workspace, { recursive: true });
  fs.writeFileSync(
    path.join(data, 'User', 'settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'telemetry.telemetryLevel': 'off',
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'workbench.enableExperiments': false,
        'workbench.tips.enabled': false,
        'security.workspace.trust.enabled': false,
        ...opts.settings,
      },
      null,
      2,
    ),
  );
  const common = ['--extensions-dir', ext, '--user-data-dir', data, '--config', path.join(state, 'config.yaml')];
  execFileSync(csBin, [...common, '--install-extension', opts.vsix], { stdio: ['ignore', 'ignore', 'inherit'], env });

  const log = fs.openSync(path.join(state, 'code-server.log'), 'w');
  const server: ChildProcess = spawn(
    csBin,
    [...common, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', workspace],
    {
      detached: true,
      stdio: ['ignore', log, log],
      env,
    },
  );
  const stopServer = () => {
    try {
      process.kill(-server.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  const base = `http://127.0.0.1:${port}`;
  let browser: BrowserContext | undefined;
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'supcon-e2e-chromium-'));
  try {
    const t0 = Date.now();
    for (;;) {
      if (server.exitCode !== null) throw new Error('code-server exited, see code-server.log');
      try {
        if ((await fetch(`${base}/healthz`)).ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() - t0 > 60_000) throw new Error('code-server did not start in 60 s');
      await new Promise((r) => setTimeout(r, 200));
    }
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      viewport: { width: 1440, height: 900 },
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = browser.pages()[0] ?? (await browser.newPage());
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${base}/?folder=${encodeURIComponent(workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    const ctx = browser;
    return {
      page,
      workspace,
      state,
      pageErrors,
      close: async () => {
        await ctx.close().catch(() => undefined);
        stopServer();
        fs.rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await browser?.close().catch(() => undefined);
    stopServer();
    fs.rmSync(profile, { recursive: true, force: true });
    throw e;
  }
}
