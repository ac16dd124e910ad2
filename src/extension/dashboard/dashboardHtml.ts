/**
 * The dashboard's HTML shell. Strict CSP: nothing loads but the bundled
 * script (by nonce) and stylesheet (from the extension); images only as data:
 * URLs. uPlot sets styles through the CSSOM and the toolkit through
 * constructable stylesheets, neither of which style-src governs; the one
 * <style> element the toolkit adds (FAST's :focus-visible probe) carries the
 * nonce it reads from the csp-nonce meta tag. No 'unsafe-inline'.
 */
import * as crypto from 'node:crypto';

export interface HtmlParts {
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  nonce?: string;
}

export const newNonce = (): string => crypto.randomBytes(16).toString('base64');

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return ["default-src 'none'", `img-src ${cspSource} data:`, `style-src ${cspSource} 'nonce-${nonce}'`, `font-src ${cspSource}`, `script-src 'nonce-${nonce}'`].join('; ');
}

const attr = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export function dashboardHtml(p: HtmlParts): string {
  const nonce = p.nonce ?? newNonce();
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(p.cspSource, nonce))}">
<meta property="csp-nonce" content="${attr(nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${attr(p.styleUri)}">
<title>SupCon Dashboard</title>
</head>
<body>
<div id="app"></div>
<script nonce="${attr(nonce)}" src="${attr(p.scriptUri)}"></script>
</body>
</html>`;
}
