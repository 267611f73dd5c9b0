// VS Code entry point. Activation stays cheap: features load when a mapping file or command needs them.
import type * as vscode from 'vscode';

export function activate(_context: vscode.ExtensionContext): void {
  // Features are registered by the extension's feature modules.
}

export function deactivate(): void {}
