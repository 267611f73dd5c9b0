// What the language features (completion, diagnostics, CodeLens) read from the sessions: names
// from the cached snapshots, each mapping's last plan, and when a plan changes.
import * as vscode from 'vscode';
import type { Plan } from '../core/changes';
import type { LiveNames } from '../core/semantic';
import type { LanguageDeps } from './language/deps';
import type { Logger } from './log';
import type { Sessions } from './sessions';

export interface LanguageDepsImpl extends LanguageDeps, vscode.Disposable {
  liveNames(uri?: vscode.Uri): LiveNames | undefined;
  onDidChangeLiveNames: vscode.Event<void>;
}

export function languageDeps(sessions: Sessions, log: Logger): LanguageDepsImpl {
  const plans = new vscode.EventEmitter<vscode.Uri>();
  const names = new vscode.EventEmitter<void>();
  // Sessions also change when they get busy; CodeLens needs to hear of new plans only.
  const seen = new WeakMap<object, Plan | undefined>();
  const subscriptions = [
    sessions.onDidChangeSession((s) => {
      if (seen.get(s) === s.plan && seen.has(s)) return;
      seen.set(s, s.plan);
      plans.fire(s.uri);
    }),
    sessions.onDidChangeLiveNames(() => names.fire()),
  ];
  return {
    liveNames(uri) {
      if (uri) {
        const own = sessions.find(uri)?.liveNames();
        if (own) return own;
      }
      // A mapping not yet planned borrows the names of the current one (same tenant, usually).
      return sessions.current()?.liveNames() ?? sessions.all().map((s) => s.liveNames()).find((n) => n !== undefined);
    },
    lastPlan: (uri) => sessions.find(uri)?.plan,
    onDidChangePlan: plans.event,
    onDidChangeLiveNames: names.event,
    log,
    dispose() {
      for (const s of subscriptions) s.dispose();
      plans.dispose();
      names.dispose();
    },
  };
}
