// Every question and notification the extension raises goes through here, so the in-host tests
// can answer them (testHooks.responder). Notifications are never awaited by a command: their
// actions run when clicked, so a command finishes without waiting for someone to dismiss a toast.
import * as vscode from 'vscode';
import { PromptKind, PromptRecord, testHooks } from './testHooks';

type Level = 'info' | 'warning' | 'error';

async function ask(record: PromptRecord, show: () => Thenable<string | undefined>): Promise<string | undefined> {
  testHooks.prompts.push(record);
  if (testHooks.responder) return testHooks.responder(record);
  return show();
}

function message(level: Level, text: string, options: vscode.MessageOptions, items: string[]): Thenable<string | undefined> {
  switch (level) {
    case 'info':
      return vscode.window.showInformationMessage(text, options, ...items);
    case 'warning':
      return vscode.window.showWarningMessage(text, options, ...items);
    case 'error':
      return vscode.window.showErrorMessage(text, options, ...items);
  }
}

/** A notification with optional actions; returns at once. */
export function notify(level: Level, text: string, actions: Record<string, () => unknown> = {}): void {
  const items = Object.keys(actions);
  void ask({ kind: level, message: text, modal: false, items }, () => message(level, text, {}, items)).then((picked) => {
    if (picked) void Promise.resolve(actions[picked]?.()).catch(() => undefined);
  });
}

/** A modal question; resolves to the chosen button, or undefined for Cancel. */
export function confirm(level: Level, text: string, detail: string, ...items: string[]): Promise<string | undefined> {
  return ask({ kind: level, message: text, modal: true, detail, items }, () => message(level, text, { modal: true, detail }, items));
}

export function input(options: vscode.InputBoxOptions & { prompt: string }): Promise<string | undefined> {
  return ask({ kind: 'input', message: options.prompt, modal: false, detail: options.title, items: [] }, () => vscode.window.showInputBox({ ignoreFocusOut: true, ...options }));
}

export async function pick<T extends vscode.QuickPickItem>(items: T[], options: vscode.QuickPickOptions & { title: string }): Promise<T | undefined> {
  const label = await ask({ kind: 'pick', message: options.title, modal: false, detail: options.placeHolder, items: items.map((i) => i.label) }, async () => {
    const chosen = await vscode.window.showQuickPick(items, { ignoreFocusOut: true, ...options });
    return chosen?.label;
  });
  return items.find((i) => i.label === label);
}

export async function openFile(title: string, filters: Record<string, string[]>): Promise<vscode.Uri | undefined> {
  const picked = await ask({ kind: 'openFile' as PromptKind, message: title, modal: false, items: [] }, async () => {
    const uris = await vscode.window.showOpenDialog({ title, canSelectMany: false, canSelectFolders: false, filters, openLabel: 'Select' });
    return uris?.[0]?.toString();
  });
  if (!picked) return undefined;
  return /^[a-z][a-z0-9+.-]*:/i.test(picked) && !/^[a-z]:[\\/]/i.test(picked) ? vscode.Uri.parse(picked) : vscode.Uri.file(picked);
}
