// Open Journal and the panel's "go to rule".
import * as vscode from 'vscode';
import { notify } from '../prompts';
import type { Services } from '../services';
import type { MappingSession } from '../session';
import { latestJournal } from '../sessions';

export async function openJournal(svc: Services, session?: MappingSession): Promise<string | undefined> {
  const s = session ?? svc.sessions.require();
  const file = latestJournal(s.stateDir);
  if (!file) {
    notify('info', `No apply journal yet for ${s.displayName}: one is written in ${vscode.workspace.asRelativePath(s.stateDir)} by each Apply.`);
    return undefined;
  }
  await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: true });
  return file;
}

/** Opens the mapping at the rule named in the diff. */
export async function revealRule(svc: Services, session: MappingSession, kind: 'agent' | 'user', rule: string): Promise<void> {
  const loaded = await session.load();
  const section = kind === 'agent' ? 'agents' : 'users';
  const index = ruleIndex(loaded.parsed.typed?.[section] ?? loaded.parsed.document.get(section), rule);
  const range = index < 0 ? undefined : (loaded.parsed.rangeOf([section, index, 'rule']) ?? loaded.parsed.headRangeOf([section, index]));
  const editor = await vscode.window.showTextDocument(session.uri, { viewColumn: vscode.ViewColumn.One, preview: false });
  if (!range) {
    svc.log.warn(`Rule "${rule}" is no longer in ${section} of ${session.displayName}.`);
    notify('warning', `The ${kind} rule "${rule}" is no longer in the mapping.`);
    return;
  }
  const selection = new vscode.Selection(range.start.line, range.start.character, range.end.line, range.end.character);
  editor.selection = selection;
  editor.revealRange(selection, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

/** Where the rule named `rule` is in a rule list (typed, or a YAML sequence while the file is invalid). */
function ruleIndex(list: unknown, rule: string): number {
  const items: unknown[] = Array.isArray(list) ? list : list && typeof list === 'object' && 'items' in list && Array.isArray(list.items) ? list.items : [];
  return items.findIndex((item) => {
    if (item && typeof item === 'object' && 'rule' in item) return item.rule === rule;
    const get = (item as { get?: (key: string) => unknown } | null)?.get;
    return typeof get === 'function' && get.call(item, 'rule') === rule;
  });
}
