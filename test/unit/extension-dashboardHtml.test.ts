import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contentSecurityPolicy, dashboardHtml } from '../../src/extension/dashboard/dashboardHtml';

test('the CSP allows only the nonce script and extension resources', () => {
  const csp = contentSecurityPolicy('https://x.vscode-cdn.net', 'abc');
  assert.match(csp, /^default-src 'none'/);
  assert.match(csp, /script-src 'nonce-abc'/);
  assert.match(csp, /style-src https:\/\/x\.vscode-cdn\.net 'nonce-abc'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.match(csp, /img-src https:\/\/x\.vscode-cdn\.net data:/);
});

test('the page loads its script by nonce and escapes attribute values', () => {
  const html = dashboardHtml({ cspSource: 'https://x', scriptUri: 'https://x/dist/webview.js?a="b"', styleUri: 'https://x/dist/webview.css', nonce: 'n0nce' });
  assert.match(html, /<script nonce="n0nce" src="https:\/\/x\/dist\/webview\.js\?a=&quot;b&quot;"><\/script>/);
  assert.equal((html.match(/<script/g) ?? []).length, 1);
  assert.match(html, /<div id="app"><\/div>/);
  assert.match(html, /<meta property="csp-nonce" content="n0nce">/);
});
