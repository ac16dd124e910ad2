/**
 * Bad messages from the dashboard webview: each is refused at the boundary
 * (parseWebviewMessage), before the extension acts on it.
 */
import { parseWebviewMessage } from '../../src/protocol/dashboard';
import { BadInput, badInputs } from '../fixtures/faults/badInput';

const webviewCase = (what: string, message: unknown): BadInput => ({
  what,
  input: () => () => (parseWebviewMessage(message) === undefined ? 'rejected' : 'accepted'),
  error: /^rejected$/,
});

const cases: BadInput[] = [
  webviewCase('a __proto__ key', JSON.parse('{"type": "ready", "__proto__": {"polluted": true}}')),
  webviewCase('run ids that are numbers', { type: 'select', runIds: [1, 2] }),
  webviewCase('a run id with a backslash', { type: 'select', runIds: ['..\\runs'] }),
  webviewCase('an empty run id', { type: 'select', runIds: [''] }),
  webviewCase('stop a run id ending in /..', { type: 'stop', runId: '20261128-000000-x/..' }),
  webviewCase('export to a sub-folder', { type: 'export', kind: 'csv', fileName: 'a/b.csv', data: '' }),
  webviewCase('export data that is not text', { type: 'export', kind: 'csv', fileName: 'ok.csv', data: 42 }),
  webviewCase('export with an extra field', { type: 'export', kind: 'png', fileName: 'c.png', data: 'data:image/png;base64,AAAA', path: '/etc' }),
  webviewCase('an error without its message', { type: 'error' }),
  webviewCase('a type that is a list', { type: ['ready'] }),
];

badInputs('webview', cases, 10);
