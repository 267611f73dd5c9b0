// Mapping text for tests: a valid header (ten lines) to which each test appends the part under test.
import { Diagnostic, formatDiagnostic, parseMapping } from '../../src/core/parse';

export const HEADER = [
  'version: 1',
  'halo:',
  '  url: https://contoso.halopsa.com',
  '  clientId: ${env:HALO_CLIENT_ID}',
  '  clientSecret: ${env:HALO_CLIENT_SECRET}',
  'entra:',
  '  - name: contoso',
  '    tenantId: 72f988bf-86f1-41af-91ab-2d7cd011db47',
  '    clientId: ${env:ENTRA_CLIENT_ID}',
  '    clientSecret: ${env:ENTRA_CLIENT_SECRET}',
].join('\n');

/** The header, then `body` from line 11 (one-based). */
export function withBody(...lines: string[]): string {
  return `${HEADER}\n${lines.join('\n')}\n`;
}

/** Diagnostics as the CLI prints them after the file name: `LINE:COL: severity: message`. */
export function problems(text: string): string[] {
  return parseMapping(text).diagnostics.map(formatDiagnostic);
}

export function only(text: string): Diagnostic {
  const { diagnostics } = parseMapping(text);
  if (diagnostics.length !== 1) throw new Error(`expected one diagnostic, got:\n${diagnostics.map(formatDiagnostic).join('\n')}`);
  return diagnostics[0];
}
