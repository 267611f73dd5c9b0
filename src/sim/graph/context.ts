// What the simulator's route handlers share: its URLs, tenants, signing keys and settings.
import type { DeviceLogins } from './device-login';
import type { SimTenant } from './directory';
import type { OpaqueTokens } from './odata';
import type { TokenMinter } from './tokens';

export interface SimContext {
  loginUrl: string;
  graphUrl: string;
  tenants: Map<string, SimTenant>;
  minter: TokenMinter;
  opaque: OpaqueTokens;
  tokenLifetimeSeconds: number;
  /** Application permissions granted to every app (the token's `roles`). */
  roles: string[];
  deltaTokenValidityMs: number;
  deltaPageSize: number;
  /** Bumped to invalidate every delta token issued so far. */
  deltaEpoch: number;
  /** Device-code sign-ins under way. */
  deviceLogins: DeviceLogins;
}

/** A handler's answer; the server adds the common headers and applies body faults. */
export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}
