/** The webview's side of the message contract, typed. */
import type { HostMessage, WebviewMessage } from '../src/protocol/dashboard';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();

export const post = (message: WebviewMessage): void => api.postMessage(message);
export const getState = (): unknown => api.getState();
export const setState = (state: unknown): void => api.setState(state);

export function onHostMessage(handler: (message: HostMessage) => void): void {
  window.addEventListener('message', (e: MessageEvent) => {
    // Only the host posts into this frame; its messages are typed by construction.
    if (e.data && typeof e.data.type === 'string') handler(e.data as HostMessage);
  });
}
