// The webview's side of the protocol: the acquireVsCodeApi wrapper (acquired once, as VS Code
// allows only one call), host messages filtered through parseHostMessage, and typed posts.
import { HostMessage, parseHostMessage, PROTOCOL_VERSION, WebviewMessage } from '../protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): unknown;
}

declare global {
  // Defined by VS Code in webviews (and by the test harness); absent in a plain browser.
  var acquireVsCodeApi: (() => VsCodeApi) | undefined;
}

let api: VsCodeApi | undefined;

function vscodeApi(): VsCodeApi {
  if (api) return api;
  // Outside VS Code there is no host: posts go nowhere and state lives for the page only.
  let memory: unknown;
  api = typeof globalThis.acquireVsCodeApi === 'function'
    ? globalThis.acquireVsCodeApi()
    : { postMessage: () => undefined, getState: () => memory, setState: (s: unknown) => (memory = s) };
  return api;
}

export function post(message: WebviewMessage): void {
  vscodeApi().postMessage(message);
}

export function getSavedState(): unknown {
  try {
    return vscodeApi().getState();
  } catch {
    return undefined;
  }
}

export function saveState(state: unknown): void {
  vscodeApi().setState(state);
}

/** Starts listening, then announces readiness; messages parseHostMessage rejects are dropped. */
export function connect(onMessage: (m: HostMessage) => void): void {
  window.addEventListener('message', (event: MessageEvent) => {
    const m = parseHostMessage(event.data);
    if (m) onMessage(m);
  });
  post({ type: 'ready', version: PROTOCOL_VERSION });
}
