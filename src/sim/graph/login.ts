// The login service: OIDC discovery and the token endpoint, per tenant: client credentials here,
// device code and refresh tokens in device-login.ts.
// Documented: discovery at /{tenant}/v2.0/.well-known/openid-configuration with the fields MSAL
// checks (authorization_endpoint, token_endpoint, issuer, jwks_uri); the token response
// {token_type, expires_in, ext_expires_in, access_token}; error bodies {error, error_description,
// error_codes, timestamp, trace_id, correlation_id} with AADSTS codes.
// Assumed: the exact wording of some AADSTS descriptions, and an empty key set at jwks_uri.
import { randomUUID } from 'node:crypto';
import type { SimContext, Reply } from './context';
import type { SimTenant } from './directory';
import { DEVICE_CODE_GRANTS } from './device-login';
import { checkClientAssertion } from './tokens';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export function handleLogin(ctx: SimContext, method: string, path: string, form: URLSearchParams): Reply {
  if (path === '/devicelogin') return method === 'POST' ? ctx.deviceLogins.answer(ctx, form) : notAllowed();
  const m = /^\/([^/]+)\/(v2\.0\/\.well-known\/openid-configuration|discovery\/v2\.0\/keys|oauth2\/v2\.0\/token|oauth2\/v2\.0\/devicecode)$/.exec(path);
  if (!m) return aadError(404, 'invalid_request', 900561, `The endpoint only accepts known paths; '${path}' is not one.`);
  const [, tenantSegment, endpoint] = m;
  const tenant = ctx.tenants.get(tenantSegment.toLowerCase());
  if (!tenant) {
    return aadError(400, endpoint.startsWith('oauth2') ? 'invalid_request' : 'invalid_tenant', 90002, `Tenant '${tenantSegment}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
  }
  if (endpoint.startsWith('v2.0')) return method === 'GET' ? { status: 200, body: discovery(ctx, tenant) } : notAllowed();
  if (endpoint.startsWith('discovery')) return method === 'GET' ? { status: 200, body: { keys: [] } } : notAllowed();
  if (method !== 'POST') return notAllowed();
  return endpoint.endsWith('devicecode') ? ctx.deviceLogins.start(ctx, tenant, form, aadError) : token(ctx, tenant, form);
}

export function tokenEndpoint(ctx: SimContext, tenantId: string): string {
  return `${ctx.loginUrl}/${tenantId}/oauth2/v2.0/token`;
}

function discovery(ctx: SimContext, tenant: SimTenant): unknown {
  const base = `${ctx.loginUrl}/${tenant.tenantId}`;
  return {
    token_endpoint: tokenEndpoint(ctx, tenant.tenantId),
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `${base}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${ctx.graphUrl}/oidc/userinfo`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'nonce', 'tid', 'ver', 'oid'],
    tenant_region_scope: 'EU',
    cloud_instance_name: new URL(ctx.loginUrl).host,
    cloud_graph_host_name: new URL(ctx.graphUrl).host,
    msgraph_host: new URL(ctx.graphUrl).host,
  };
}

function token(ctx: SimContext, tenant: SimTenant, form: URLSearchParams): Reply {
  const grant = form.get('grant_type');
  if (grant && DEVICE_CODE_GRANTS.includes(grant)) return ctx.deviceLogins.redeem(ctx, tenant, form, aadError);
  if (grant === 'refresh_token') return ctx.deviceLogins.refresh(ctx, tenant, form, aadError);
  if (grant !== 'client_credentials') {
    return aadError(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grant ?? ''}'.`);
  }
  const clientId = form.get('client_id') ?? '';
  if (clientId !== tenant.data.clientId) {
    return aadError(
      400,
      'unauthorized_client',
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${tenant.tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    );
  }
  const scope = (form.get('scope') ?? '').split(' ').filter(Boolean);
  const resourceScope = scope.find((s) => s.endsWith('/.default'));
  if (!resourceScope) {
    return aadError(400, 'invalid_scope', 1002012, `The provided value for scope ${scope.join(' ')} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`);
  }
  const resource = resourceScope.slice(0, -'/.default'.length).replace(/\/+$/, '');
  if (resource.toLowerCase() !== ctx.graphUrl.toLowerCase()) {
    return aadError(400, 'invalid_resource', 500011, `The resource principal named ${resource} was not found in the tenant named ${tenant.tenantId}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`);
  }
  let appidacr: '1' | '2';
  const secret = form.get('client_secret');
  const assertion = form.get('client_assertion');
  if (secret !== null) {
    if (secret !== tenant.data.clientSecret) {
      return aadError(401, 'invalid_client', 7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`);
    }
    appidacr = '1';
  } else if (assertion !== null) {
    if (form.get('client_assertion_type') !== ASSERTION_TYPE) {
      return aadError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'client_assertion_type'.");
    }
    const problem = checkClientAssertion(assertion, { clientId, tokenEndpoint: tokenEndpoint(ctx, tenant.tenantId), certificatePem: tenant.data.certificatePem });
    if (problem) return aadError(401, 'invalid_client', problem.code, problem.description);
    appidacr = '2';
  } else {
    return aadError(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
  }
  const lifetime = ctx.tokenLifetimeSeconds;
  const accessToken = ctx.minter.mint({
    aud: ctx.graphUrl,
    tid: tenant.tenantId,
    appid: clientId,
    appidacr,
    oid: servicePrincipalId(tenant),
    roles: ctx.roles,
    exp: Math.floor(Date.now() / 1000) + lifetime,
  });
  return { status: 200, body: { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: accessToken } };
}

/** A stable object id for the app's service principal in this tenant. */
function servicePrincipalId(tenant: SimTenant): string {
  const hex = Buffer.from(`${tenant.tenantId}:${tenant.data.clientId}`).toString('hex').padEnd(32, '0').slice(-32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function notAllowed(): Reply {
  return aadError(405, 'invalid_request', 900561, 'The endpoint only accepts POST requests.');
}

/** An error in the login service's shape: the description leads with its AADSTS code. */
export function aadError(status: number, error: string, code: number, description: string): Reply {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${code}: ${description}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    },
  };
}
