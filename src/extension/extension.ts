// VS Code entry point. Activation only wires things up: the engine, the simulators, MSAL, ajv
// and the YAML parser load on first use (./lazy), so opening VS Code stays fast.
import * as vscode from 'vscode';
import type { Plan } from '../core/changes';
import { apply } from './commands/apply';
import { refreshSnapshots } from './commands/diff';
import { registerCommands } from './commands/index';
import { openJournal, revealRule } from './commands/navigate';
import { ContextKey, DIFF_VIEW_TYPE } from './constants';
import { DelegatedSignIns } from './delegatedSignIn';
import { registerLanguageFeatures } from './language';
import { languageDeps } from './languageDeps';
import { Logger } from './log';
import { DiffPanel } from './panel';
import { ReportPanel } from './reportPanel';
import { SecretStore } from './secretStore';
import type { Services } from './services';
import { Sessions } from './sessions';
import { SimulatorHost } from './simulator';
import { PlanStatusBar } from './statusBar';
import { testHooks, TestHooks } from './testHooks';
import { isTrusted } from './trust';

/** Exported to the in-host tests only (never in production mode). */
export interface TestApi {
  testHooks: TestHooks;
  /** The plan last shown for a mapping file. */
  lastPlan(uri: vscode.Uri): Plan | undefined;
  /** When the plan shown for a mapping was made, and from snapshots read when. */
  planInfo(uri: vscode.Uri): { snapshotAt: string; plannedAt: string; mappingErrors: number; problem: string | undefined } | undefined;
  /** The mapping file the diff panel shows, if the panel is open. */
  panelMapping(): vscode.Uri | undefined;
  /** The report view, if open: what it shows, and a message sent to its host as the webview would. */
  reportView(): { shown: unknown; send(message: unknown): Promise<unknown> } | undefined;
}

/** Stopped on deactivation, which VS Code awaits (disposables it does not). */
let running: SimulatorHost | undefined;

export function activate(context: vscode.ExtensionContext): TestApi | undefined {
  const log = new Logger();
  const secrets = new SecretStore(context.secrets, log);
  const simulator = new SimulatorHost(log);
  running = simulator;
  const delegated = new DelegatedSignIns(context.globalState, secrets, log);
  const version = String(context.extension.packageJSON.version ?? 'dev');
  const sessions = new Sessions({ log, secrets, simulator, delegated, userAgent: `halo-identity-vscode/${version} VSCode/${vscode.version}` });
  const svc: Services = {
    context,
    log,
    secrets,
    sessions,
    simulator,
    delegated,
    panel: {
      extensionUri: context.extensionUri,
      log,
      actions: {
        applySelected: (s, keys) => apply(svc, s, keys),
        refresh: (s) => refreshSnapshots(svc, s.uri),
        openJournal: (s) => openJournal(svc, s),
        revealRule: (s, kind, rule) => revealRule(svc, s, kind, rule),
      },
    },
  };
  void vscode.commands.executeCommand('setContext', ContextKey.simulatorRunning, false);
  const deps = languageDeps(sessions, log);
  context.subscriptions.push(
    log,
    secrets,
    simulator,
    sessions,
    deps,
    new PlanStatusBar(sessions),
    ...registerCommands(svc),
    vscode.window.registerWebviewPanelSerializer(DIFF_VIEW_TYPE, {
      async deserializeWebviewPanel(panel) {
        const session = sessions.current();
        const revived = DiffPanel.revive(panel, svc.panel, session);
        if (!session) revived.post({ type: 'error', message: 'No mapping file: open a halo-identity.yaml and run Halo Identity: Show Diff.' });
        // The panel was open before the reload: show its diff again (reads only with trust).
        if (session && !session.planView && (isTrusted() || session.isSimulator)) void refreshSnapshots(svc, session.uri);
      },
    }),
    // Trust granted: Apply becomes possible, and the panel should say so.
    vscode.workspace.onDidGrantWorkspaceTrust(() => void DiffPanel.currentPanel?.boundSession?.replan()),
    { dispose: () => DiffPanel.currentPanel?.dispose() },
  );
  registerLanguageFeatures(context, deps);

  log.info(`Halo Identity ${version} activated${isTrusted() ? '' : ' (untrusted workspace: Apply disabled, only the simulator is read)'}.`);
  if (context.extensionMode === vscode.ExtensionMode.Production) return undefined;
  log.mirror = (level, line) => testHooks.log.push(`${level}: ${line}`);
  return {
    testHooks,
    lastPlan: (uri) => sessions.find(uri)?.plan,
    planInfo: (uri) => {
      const v = sessions.find(uri)?.planView;
      return v && { snapshotAt: v.snapshotAt, plannedAt: v.plannedAt, mappingErrors: v.mappingErrors, problem: v.problem };
    },
    panelMapping: () => DiffPanel.currentPanel?.boundSession?.uri,
    reportView: () => {
      const view = ReportPanel.current;
      return view && { shown: view.shown, send: (m) => view.receive(m) };
    },
  };
}

export async function deactivate(): Promise<void> {
  await running?.stop();
  running = undefined;
}
