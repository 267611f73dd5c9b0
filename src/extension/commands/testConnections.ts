// Test Connections: sign in to each side and show what the credentials allow. Halo: the API
// agent and the granted scope. Entra: the permissions in each tenant's Graph token, flagging
// User.Read.All and GroupMember.Read.All when missing (Directory.Read.All covers both).
import * as vscode from 'vscode';
import type { ConnectionCheck } from '../../engine/connection-test';
import { Command } from '../constants';
import { loadEngine } from '../lazy';
import { withCancellableProgress } from '../progress';
import { notify } from '../prompts';
import type { Services } from '../services';
import { reportFailure } from './failures';

export type { ConnectionCheck };

export async function testConnections(svc: Services, uri?: vscode.Uri): Promise<ConnectionCheck[] | undefined> {
  const session = svc.sessions.require(uri);
  let checks: ConnectionCheck[];
  try {
    checks = await withCancellableProgress('Halo Identity: testing connections', async (signal, report) => {
      const conns = await session.connect(await session.load(), signal);
      try {
        report.message('Signing in to Halo and each directory…');
        return await (await loadEngine()).testConnections(conns, { signal, log: svc.log.engine('directories') });
      } finally {
        conns.close();
      }
    });
  } catch (e) {
    reportFailure(svc, 'Test Connections failed', e, session);
    return undefined;
  }
  for (const c of checks) svc.log[c.ok ? 'info' : 'warn'](`Test Connections: ${c.system} ${c.name}: ${c.detail}${c.fix ? ` Fix: ${c.fix}` : ''}`);
  const line = checks.map((c) => `${c.ok ? '✓' : '✗'} ${c.system} ${c.name}${c.ok ? '' : `: ${c.missing.length ? `missing ${c.missing.join(', ')}` : 'failed'}`}`).join('  ·  ');
  const failedHalo = checks.some((c) => c.side === 'halo' && !c.ok);
  const failedEntra = checks.some((c) => c.side === 'entra' && !c.ok);
  const actions: Record<string, () => unknown> = {};
  if (failedHalo) actions['Set Halo Credentials'] = () => vscode.commands.executeCommand(Command.setHaloCredentials);
  if (failedEntra) actions['Sign in to Entra'] = () => vscode.commands.executeCommand(Command.signInEntra);
  actions['Show Log'] = () => svc.log.show();
  notify(failedHalo || failedEntra ? 'warning' : 'info', `Test Connections: ${line}`, actions);
  return checks;
}

