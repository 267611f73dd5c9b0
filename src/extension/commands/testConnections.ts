// Test Connections: sign in to each side and show what the credentials allow. Halo: the API
// agent and the granted scope. Entra: the permissions in each tenant's Graph token, flagging
// User.Read.All and GroupMember.Read.All when missing (Directory.Read.All covers both).
import * as vscode from 'vscode';
import { GRAPH_PERMISSIONS } from '../../entra/scopes';
import { Command } from '../constants';
import { describeError } from '../errors';
import { loadEngine } from '../lazy';
import { withCancellableProgress } from '../progress';
import { notify } from '../prompts';
import type { Services } from '../services';
import { reportFailure } from './failures';


export interface ConnectionCheck {
  side: 'halo' | 'entra';
  name: string;
  ok: boolean;
  detail: string;
  missing: string[];
}

export async function testConnections(svc: Services, uri?: vscode.Uri): Promise<ConnectionCheck[] | undefined> {
  const session = svc.sessions.require(uri);
  let checks: ConnectionCheck[];
  try {
    checks = await withCancellableProgress('Halo Identity: testing connections', async (signal, report) => {
      const conns = await session.connect(await session.load(), signal);
      try {
        const { tokenInfo } = await loadEngine();
        const halo = (async (): Promise<ConnectionCheck> => {
          report.message('Signing in to Halo…');
          try {
            const me = await conns.halo.whoAmI();
            return { side: 'halo', name: hostOf(conns.mapping.halo.url), ok: true, detail: `signed in as "${me.name}" (agent ${me.id}), scope "${me.scope}"`, missing: [] };
          } catch (e) {
            return { side: 'halo', name: hostOf(conns.mapping.halo.url), ok: false, detail: describeError(e), missing: [] };
          }
        })();
        const entra = conns.entra.map(async (conn): Promise<ConnectionCheck> => {
          try {
            const info = await tokenInfo(conn, { http: conns.http, signal, log: svc.log.engine('entra') });
            const delegated = conn.delegated !== undefined;
            const granted = delegated ? info.scopes : info.roles;
            const all = granted.includes('Directory.Read.All');
            const missing = all ? [] : GRAPH_PERMISSIONS.filter((p) => !granted.includes(p));
            const kind = delegated ? 'delegated permissions' : 'application permissions';
            return {
              side: 'entra',
              name: conn.name,
              ok: missing.length === 0,
              detail: `${kind}: ${granted.length ? granted.join(', ') : 'none'}${missing.length ? `; missing ${missing.join(' and ')}` : ''}`,
              missing,
            };
          } catch (e) {
            return { side: 'entra', name: conn.name, ok: false, detail: describeError(e), missing: [] };
          }
        });
        return Promise.all([halo, ...entra]);
      } finally {
        conns.close();
      }
    });
  } catch (e) {
    reportFailure(svc, 'Test Connections failed', e, session);
    return undefined;
  }
  for (const c of checks) svc.log[c.ok ? 'info' : 'warn'](`Test Connections: ${c.side === 'halo' ? 'Halo' : 'Entra'} ${c.name}: ${c.detail}`);
  const line = checks.map((c) => `${c.ok ? '✓' : '✗'} ${c.side === 'halo' ? 'Halo' : 'Entra'} ${c.name}${c.ok ? '' : `: ${c.missing.length ? `missing ${c.missing.join(', ')}` : 'failed'}`}`).join('  ·  ');
  const failedHalo = checks.some((c) => c.side === 'halo' && !c.ok);
  const failedEntra = checks.some((c) => c.side === 'entra' && !c.ok);
  const actions: Record<string, () => unknown> = {};
  if (failedHalo) actions['Set Halo Credentials'] = () => vscode.commands.executeCommand(Command.setHaloCredentials);
  if (failedEntra) actions['Sign in to Entra'] = () => vscode.commands.executeCommand(Command.signInEntra);
  actions['Show Log'] = () => svc.log.show();
  notify(failedHalo || failedEntra ? 'warning' : 'info', `Test Connections: ${line}`, actions);
  return checks;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
