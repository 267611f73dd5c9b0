// The mapping's ldap: entries, as written (the password resolved by the engine).

export type ServerKind = 'active-directory' | 'openldap';

export interface LdapConnection {
  name: string;
  url: string;
  startTls?: boolean;
  bindDn: string;
  bindPassword: string;
  baseDn: string;
  usersDn?: string;
  groupsDn?: string;
  userFilter?: string;
  groupFilter?: string;
  disabledFilter?: string;
  server?: 'auto' | ServerKind;
  pageSize?: number;
}
