// Workspace trust, the one place it is read (the tests can override it).
import * as vscode from 'vscode';
import { testHooks } from './testHooks';

export function isTrusted(): boolean {
  return testHooks.trusted ?? vscode.workspace.isTrusted;
}
