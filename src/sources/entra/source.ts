// Entra as a directory source: a mapping's `entra:` entry opened into a live connection (MSAL for
// the app's sign-in, or a person's when the editor lends one) that reads Graph for the planner.
import { attributePermission } from '../../core/attributes';
import { directoryNamed } from '../../core/directories';
import type { DirectoryNeeds } from '../../core/needs';
import type { AccessCheck, DirectoryConnection, DirectorySource, OpenContext, ReadOptions } from '../source';
import type { ResolvedEntraConnection } from './connection';
import { readTenantIncremental } from './cache';
import { listGroupNames } from './group-names';
import { readGroupTrees } from './group-tree';
import { readTenant } from './reader';
import { GRAPH_PERMISSIONS } from './scopes';
import type { EntraConnection } from './settings';
import { tokenInfo } from './token-info';

const SIGN_IN_REPLACES = ['clientSecret', 'certificate'];

export const entraSource: DirectorySource = {
  key: 'entra',
  signInReplaces: SIGN_IN_REPLACES,
  open(settings, context) {
    return new EntraDirectory(resolve(settings as unknown as EntraConnection, context), context);
  },
};

function resolve(conn: EntraConnection, context: OpenContext): ResolvedEntraConnection {
  const { certificate, ...rest } = conn;
  if (context.signIn && !conn.clientSecret && !certificate) return { ...rest, clientSecret: undefined, delegated: context.signIn };
  if (!certificate) return { ...rest };
  const privateKey = certificate.privateKey ?? (certificate.privateKeyFile ? context.readFile(certificate.privateKeyFile, 'private key file') : undefined);
  if (!privateKey) throw new Error(`entra ${conn.name}: certificate needs privateKeyFile or privateKey`);
  return { ...rest, certificate: { thumbprintSha256: certificate.thumbprintSha256, privateKey, x5c: certificate.x5c } };
}

export class EntraDirectory implements DirectoryConnection {
  readonly source = 'entra';
  readonly name: string;
  readonly personal: boolean;

  constructor(
    /** The resolved connection (the Entra reader's own entry points take it). */
    readonly conn: ResolvedEntraConnection,
    private readonly context: OpenContext,
  ) {
    this.name = conn.name;
    this.personal = conn.delegated !== undefined;
  }

  private options(o: ReadOptions) {
    return { http: this.context.http, signal: o.signal, log: o.log, retry: this.context.retry };
  }

  read(needs: DirectoryNeeds, o: ReadOptions) {
    return readTenant(this.conn, needs, this.options(o));
  }

  readIncremental(needs: DirectoryNeeds, o: ReadOptions & { stateDir: string }) {
    return readTenantIncremental(this.conn, needs, { ...this.options(o), stateDir: o.stateDir });
  }

  async checkAccess(needs: DirectoryNeeds, o: ReadOptions): Promise<AccessCheck> {
    let info: Awaited<ReturnType<typeof tokenInfo>>;
    try {
      info = await tokenInfo(this.conn, this.options(o));
    } catch (e) {
      return { ok: false, detail: e instanceof Error ? e.message : String(e), missing: [], fix: 'Check entra[].tenantId, clientId and the client secret or certificate.', granted: [] };
    }
    const granted = this.personal ? info.scopes : info.roles;
    const entra = directoryNamed('entra')!;
    const extra = [...new Set(needs.attributes.map((a) => attributePermission(entra, a)).filter((p): p is string => p !== undefined))];
    const needed = [...(granted.includes('Directory.Read.All') ? [] : GRAPH_PERMISSIONS), ...extra];
    const missing = needed.filter((p) => !granted.includes(p));
    const kind = this.personal ? 'delegated permissions' : 'application permissions';
    return {
      ok: missing.length === 0,
      detail: `${kind}: ${granted.length ? granted.join(', ') : 'none'}${missing.length ? `; missing ${missing.join(' and ')}` : ''}`,
      missing,
      fix: missing.length
        ? `In Entra, App registrations → ${this.conn.clientId} → API permissions: add the Microsoft Graph ${this.personal ? 'delegated' : 'application'} permission${missing.length === 1 ? '' : 's'} ${missing.join(', ')}, then "Grant admin consent".`
        : '',
      granted: [...info.roles, ...info.scopes],
    };
  }

  groupNames(o: ReadOptions) {
    return listGroupNames(this.conn, this.options(o));
  }

  groupTrees(groups: Parameters<DirectoryConnection['groupTrees']>[0], o: ReadOptions) {
    return readGroupTrees(this.conn, groups, this.options(o));
  }
}
