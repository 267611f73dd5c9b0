// The report view's host side: one panel showing one report (access review, licences, orphans),
// sent when the webview says `ready` (it is rebuilt whenever it is shown again). What the webview
// sends back passes parseReportViewMessage: it is untrusted input.
import * as vscode from 'vscode';
import { makeNonce, panelHtml } from '../../webview/html';
import { parseReportViewMessage, ReportHostMessage, ReviewMark } from '../../webview/report-protocol';
import type { Logger } from './log';

export const REPORT_VIEW_TYPE = 'haloIdentity.report';

export interface ReportPanelContext {
  extensionUri: vscode.Uri;
  log: Logger;
  /** A reviewer's marks: saved as the signed-off review sheet, and with `apply` the revokes applied. */
  saveReview(marks: ReviewMark[], apply: boolean): Promise<unknown>;
}

export class ReportPanel implements vscode.Disposable {
  static current: ReportPanel | undefined;

  private ready = false;
  private report: ReportHostMessage | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  static show(ctx: ReportPanelContext, report: Extract<ReportHostMessage, { type: 'report' }>): ReportPanel {
    const title = `Halo Identity: ${report.kind === 'access' ? 'Access Review' : report.kind === 'licences' ? 'Licences' : 'Orphans'}`;
    if (!ReportPanel.current) {
      const panel = vscode.window.createWebviewPanel(REPORT_VIEW_TYPE, title, { viewColumn: vscode.ViewColumn.Active, preserveFocus: false }, {
        enableScripts: true,
        localResourceRoots: [vscode.Uri.joinPath(ctx.extensionUri, 'dist', 'webview')],
        retainContextWhenHidden: false,
      });
      ReportPanel.current = new ReportPanel(panel, ctx);
    }
    const current = ReportPanel.current;
    current.panel.title = title;
    current.ctx = ctx;
    current.post(report);
    current.panel.reveal(undefined, false);
    return current;
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private ctx: ReportPanelContext,
  ) {
    const webview = panel.webview;
    const dist = vscode.Uri.joinPath(ctx.extensionUri, 'dist', 'webview');
    webview.html = panelHtml({
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'reports.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'reports.css')).toString(),
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      title: 'Halo Identity: Report',
    });
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((raw: unknown) => void this.receive(raw)),
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.ready = false;
      }),
    );
  }

  /** The report (kept, and sent again when the view reloads) or a transient message. */
  post(message: ReportHostMessage): void {
    if (message.type === 'report') this.report = message;
    if (this.ready) void this.panel.webview.postMessage(message);
  }

  /** The report shown, for tests and for the review's save. */
  get shown(): ReportHostMessage | undefined {
    return this.report;
  }

  /** A message from the webview (or, in tests, one made as the webview would send it); settles when handled. */
  receive(raw: unknown): Promise<unknown> {
    const m = parseReportViewMessage(raw);
    if (!m) {
      this.ctx.log.warn('Report view: ignored a message it should not have sent.');
      return Promise.resolve(undefined);
    }
    if (m.type === 'ready') {
      this.ready = true;
      if (this.report) void this.panel.webview.postMessage(this.report);
      return Promise.resolve(undefined);
    }
    return this.ctx.saveReview(m.marks, m.apply).catch((e: unknown) => this.post({ type: 'error', message: e instanceof Error ? e.message : String(e) }));
  }

  dispose(): void {
    if (ReportPanel.current === this) ReportPanel.current = undefined;
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}
