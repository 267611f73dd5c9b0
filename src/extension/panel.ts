// The diff panel's host side: one panel (static currentPanel), restored after a reload by the
// serializer, bound to one mapping's session. Messages from the webview are untrusted input and
// pass parseWebviewMessage; messages to it wait for its `ready` (it is rebuilt whenever it is
// shown again, as it keeps no context while hidden) and carry the plan only, never a secret.
import * as vscode from 'vscode';
import { HostMessage, parseWebviewMessage, PROTOCOL_VERSION, stateMessages, WebviewMessage } from '../../webview/protocol';
import { makeNonce, panelHtml } from '../../webview/html';
import { DIFF_VIEW_TYPE } from './constants';
import type { Logger } from './log';
import type { MappingSession, PlanView } from './session';

/** What the panel asks the rest of the extension to do. */
export interface PanelActions {
  applySelected(session: MappingSession, keys: string[]): Promise<unknown>;
  refresh(session: MappingSession): Promise<unknown>;
  openJournal(session: MappingSession): Promise<unknown>;
  revealRule(session: MappingSession, kind: 'agent' | 'user', rule: string): Promise<unknown>;
}

export interface PanelContext {
  extensionUri: vscode.Uri;
  log: Logger;
  actions: PanelActions;
}

const MAX_QUEUED = 50;
const PAINT_DELAY_MS = 50;

export class DiffPanel implements vscode.Disposable {
  static currentPanel: DiffPanel | undefined;

  private ready = false;
  /** Transient messages waiting for `ready`; the state and busy flag are always sent fresh. */
  private queue: HostMessage[] = [];
  private session: MappingSession | undefined;
  private sessionSubscription: vscode.Disposable | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;
  private sent: { view: PlanView | undefined; busy: string | undefined } = { view: undefined, busy: undefined };

  static createOrShow(ctx: PanelContext, session: MappingSession): DiffPanel {
    const column = vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
    if (DiffPanel.currentPanel) {
      DiffPanel.currentPanel.bind(session);
      DiffPanel.currentPanel.panel.reveal(DiffPanel.currentPanel.panel.viewColumn ?? column, true);
      return DiffPanel.currentPanel;
    }
    const panel = vscode.window.createWebviewPanel(DIFF_VIEW_TYPE, 'Halo Identity Diff', { viewColumn: column, preserveFocus: true }, DiffPanel.options(ctx.extensionUri));
    try {
      DiffPanel.currentPanel = new DiffPanel(panel, ctx, session);
    } catch (e) {
      panel.dispose();
      throw e;
    }
    return DiffPanel.currentPanel;
  }

  /** After a reload: VS Code hands back the panel it kept. */
  static revive(panel: vscode.WebviewPanel, ctx: PanelContext, session: MappingSession | undefined): DiffPanel {
    DiffPanel.currentPanel?.dispose();
    panel.webview.options = DiffPanel.options(ctx.extensionUri);
    DiffPanel.currentPanel = new DiffPanel(panel, ctx, session);
    return DiffPanel.currentPanel;
  }

  static options(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')],
      // The webview keeps its own state (setState) and rebuilds fast: no hidden context to hold.
      retainContextWhenHidden: false,
    };
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly ctx: PanelContext,
    session: MappingSession | undefined,
  ) {
    panel.webview.html = this.html();
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
      panel.onDidChangeViewState(() => {
        // Hidden, the webview is torn down; shown again, it loads afresh and says `ready`.
        if (!panel.visible) this.ready = false;
      }),
    );
    if (session) this.bind(session);
  }

  get boundSession(): MappingSession | undefined {
    return this.session;
  }

  bind(session: MappingSession): void {
    if (this.session === session) return;
    this.sessionSubscription?.dispose();
    this.session = session;
    this.panel.title = `Halo Identity Diff: ${session.displayName.split(/[\\/]/).pop()}`;
    this.sessionSubscription = session.onDidChange(() => this.sendState());
    this.sendState(true);
  }

  /** Transient news (apply outcome, an error); queued until the webview is ready. */
  post(message: HostMessage): void {
    if (this.ready) {
      void this.panel.webview.postMessage(message);
      return;
    }
    this.queue.push(message);
    if (this.queue.length > MAX_QUEUED) this.queue.splice(0, this.queue.length - MAX_QUEUED);
  }

  /** Sends what changed since the last send (everything after `ready`): plans can be large. */
  private sendState(force = false): void {
    if (!this.ready || !this.session) return;
    const view = this.session.planView;
    const busy = this.session.busy;
    const post = (m: HostMessage) => void this.panel.webview.postMessage(m);
    if (force || view !== this.sent.view) {
      const state = this.session.panelState();
      if (state) {
        const [first, ...rest] = stateMessages(state);
        post(first);
        // A frame for the webview to paint the first part before the large copy of the rest.
        if (rest.length) setTimeout(() => !this.disposed && rest.forEach(post), PAINT_DELAY_MS);
      }
      // A state clears the panel's error line; a problem that still holds is said again after it.
      if (view?.problem) post({ type: 'error', message: view.problem });
    }
    if (force || busy !== this.sent.busy) post({ type: 'busy', busy: busy !== undefined, ...(busy ? { message: busy } : {}) });
    this.sent = { view, busy };
  }

  private receive(raw: unknown): void {
    const message = parseWebviewMessage(raw);
    if (!message) {
      this.ctx.log.warn(`Diff panel: dropped an invalid message (${describeRaw(raw)}).`);
      return;
    }
    if (message.type === 'ready') {
      if (message.version !== PROTOCOL_VERSION) this.ctx.log.warn(`Diff panel speaks protocol ${message.version}, the extension ${PROTOCOL_VERSION}: reload the window if the panel misbehaves.`);
      this.ready = true;
      this.sendState(true);
      const queued = this.queue;
      this.queue = [];
      for (const m of queued) void this.panel.webview.postMessage(m);
      return;
    }
    const session = this.session;
    if (!session) return;
    void this.handle(session, message).catch((e) => this.ctx.log.error(e as Error));
  }

  private handle(session: MappingSession, message: Exclude<WebviewMessage, { type: 'ready' }>): Promise<unknown> {
    const { actions } = this.ctx;
    switch (message.type) {
      case 'applySelected':
        return actions.applySelected(session, message.keys);
      case 'refresh':
        return actions.refresh(session);
      case 'openJournal':
        return actions.openJournal(session);
      case 'revealRule':
        return actions.revealRule(session, message.kind, message.rule);
    }
  }

  private html(): string {
    const { webview } = this.panel;
    const root = vscode.Uri.joinPath(this.ctx.extensionUri, 'dist', 'webview');
    this.ctx.log.debug(`Diff panel: webview resources from ${webview.cspSource}`);
    return panelHtml({
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(root, 'main.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(root, 'main.css')).toString(),
      cspSource: webview.cspSource,
      nonce: makeNonce(),
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (DiffPanel.currentPanel === this) DiffPanel.currentPanel = undefined;
    this.sessionSubscription?.dispose();
    this.panel.dispose();
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }
}

function describeRaw(raw: unknown): string {
  if (raw && typeof raw === 'object' && 'type' in raw) return `type ${JSON.stringify(String((raw as { type: unknown }).type)).slice(0, 40)}`;
  return typeof raw;
}
