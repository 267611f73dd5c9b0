// One LDAP session: connect (LDAPS, or StartTLS, the server's certificate verified against the
// system's authorities and the mapping's tls.caFiles; plain LDAP only to this machine), bind as
// the read-only account, learn from the root DSE whether the server is Active Directory, and run
// paged searches (RFC 2696), page by page. Every failure is a DirectoryReadError.
import { Client, InvalidCredentialsError, SearchOptions } from 'ldapts';
import { ConnectionOptions, rootCertificates } from 'node:tls';
import { isLoopback } from '../../net/http';
import { DirectoryReadError, Redactor } from '../errors';
import type { LdapConnection, ServerKind } from './settings';

/** An Active Directory domain controller says so in its root DSE [V MS-ADTS 3.1.1.3.4.3: LDAP_CAP_ACTIVE_DIRECTORY_OID]. */
const ACTIVE_DIRECTORY_CAPABILITY = '1.2.840.113556.1.4.800';

export type LdapEntry = Record<string, string | string[] | Buffer | Buffer[]> & { dn: string };

export class LdapSession {
  readonly redactor = new Redactor();
  searches = 0;
  pages = 0;
  private client: Client | undefined;
  kind: ServerKind = 'openldap';

  constructor(
    private readonly conn: LdapConnection,
    private readonly ca: string[],
    private readonly timeoutMs = 60_000,
  ) {
    this.redactor.add(conn.bindPassword);
  }

  fail(why: string, code?: string): DirectoryReadError {
    return new DirectoryReadError(this.redactor.apply(`Reading LDAP "${this.conn.name}" failed: ${why}; nothing was read from this directory.`), { tenant: this.conn.name, endpoint: 'LDAP', code });
  }

  async open(): Promise<void> {
    const url = new URL(this.conn.url);
    const secure = url.protocol === 'ldaps:';
    // Plain LDAP sends the password in the clear: only to this machine, or upgraded with StartTLS.
    if (!secure && !this.conn.startTls && !isLoopback(url.hostname)) throw this.fail(`${url.protocol}//${url.host} is plain LDAP: use ldaps:// or startTls: true (plain LDAP is allowed only to this machine)`);
    const tlsOptions: ConnectionOptions = { ca: this.ca.length ? [...rootCertificates, ...this.ca] : undefined, rejectUnauthorized: true, servername: isIp(url.hostname) ? undefined : url.hostname, minVersion: 'TLSv1.2' };
    // TLS options go to the constructor for ldaps:// only: given there, they break ldapts' StartTLS.
    const client = new Client({ url: this.conn.url, timeout: this.timeoutMs, connectTimeout: Math.min(this.timeoutMs, 15_000), ...(secure ? { tlsOptions } : {}), strictDN: false });
    this.client = client;
    try {
      if (this.conn.startTls && !secure) await client.startTLS({ ...tlsOptions });
      await client.bind(this.conn.bindDn, this.conn.bindPassword);
    } catch (e) {
      await this.close();
      if (e instanceof InvalidCredentialsError) throw this.fail(`the server refused the bind as ${this.conn.bindDn} (invalid credentials): check ldap[].bindDn and the password`, 'invalidCredentials');
      throw this.fail(`could not connect and bind to ${url.host}: ${messageOf(e)}`);
    }
    this.kind = this.conn.server && this.conn.server !== 'auto' ? this.conn.server : await this.detect();
  }

  private async detect(): Promise<ServerKind> {
    const { searchEntries } = await this.client!.search('', { scope: 'base', filter: '(objectClass=*)', attributes: ['supportedCapabilities'] }).catch((e: unknown) => {
      throw this.fail(`reading the root DSE failed: ${messageOf(e)}`);
    });
    const caps = ([] as unknown[]).concat(searchEntries[0]?.supportedCapabilities ?? []).map(String);
    return caps.includes(ACTIVE_DIRECTORY_CAPABILITY) ? 'active-directory' : 'openldap';
  }

  /** Every entry a paged search finds, at `pageSize` a page; a failed page fails the whole search. */
  async search(base: string, options: SearchOptions & { pageSize: number }, signal?: AbortSignal): Promise<LdapEntry[]> {
    const out: LdapEntry[] = [];
    this.searches++;
    const { pageSize, ...rest } = options;
    try {
      for await (const page of this.client!.searchPaginated(base, { scope: 'sub', ...rest, paged: { pageSize } })) {
        if (signal?.aborted) throw signal.reason;
        this.pages++;
        out.push(...(page.searchEntries as LdapEntry[]));
      }
    } catch (e) {
      if (signal?.aborted) throw e;
      throw this.fail(`the search of ${base} for ${options.filter} failed: ${messageOf(e)}`, (e as { code?: unknown })?.code?.toString());
    }
    return out;
  }

  /** One entry by its DN (base scope), or undefined when there is none. */
  async entry(dn: string, attributes: string[]): Promise<LdapEntry | undefined> {
    this.searches++;
    try {
      const { searchEntries } = await this.client!.search(dn, { scope: 'base', filter: '(objectClass=*)', attributes });
      return searchEntries[0] as LdapEntry | undefined;
    } catch (e) {
      if ((e as { code?: unknown }).code === 32) return undefined; // noSuchObject
      throw this.fail(`reading ${dn} failed: ${messageOf(e)}`);
    }
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    await c?.unbind().catch(() => undefined);
  }
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function isIp(host: string): boolean {
  return /^[0-9.]+$/.test(host) || host.includes(':');
}
