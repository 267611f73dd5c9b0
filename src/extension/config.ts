// Typed access to the haloIdentity.* settings. Settings that trust restricts are read from user
// scope only in an untrusted workspace: a repository must not redirect them.
import * as vscode from 'vscode';
import { CONFIG_SECTION } from './constants';
import { isTrusted } from './trust';

function section(scope?: vscode.Uri): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(CONFIG_SECTION, scope);
}

function restricted<T>(key: string, fallback: T, scope?: vscode.Uri): T {
  const c = section(scope);
  if (isTrusted()) return c.get<T>(key, fallback) ?? fallback;
  const i = c.inspect<T>(key);
  return i?.globalValue ?? i?.defaultValue ?? fallback;
}

export const config = {
  /** The mapping file, relative to the workspace folder (ignored from the workspace when untrusted). */
  mappingFile: (scope?: vscode.Uri): string => restricted('mappingFile', 'halo-identity.yaml', scope) || 'halo-identity.yaml',
  /** Dry Run's output folder; null means beside the mapping. */
  planOutputFolder: (scope?: vscode.Uri): string | null => restricted<string | null>('plan.outputFolder', null, scope) || null,
  debounceMs: (scope?: vscode.Uri): number => clamp(section(scope).get<number>('diff.debounceMs', 300), 0, 5000),
  simulatorUsers: (): number => clamp(section().get<number>('simulator.users', 120), 10, 100_000),
  halo: (scope?: vscode.Uri) => ({
    pageSize: section(scope).get<number | null>('halo.pageSize', null) ?? undefined,
    batchSize: section(scope).get<number | null>('halo.batchSize', null) ?? undefined,
    rateLimit: section(scope).get<{ requests: number; windowSeconds: number } | null>('halo.rateLimit', null) ?? undefined,
  }),
};

function clamp(n: number, min: number, max: number): number {
  return Number.isFinite(n) ? Math.min(max, Math.max(min, Math.round(n))) : min;
}
