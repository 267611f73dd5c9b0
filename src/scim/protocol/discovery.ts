// The discovery endpoints (RFC 7644 §4; RFC 7643 §5–§7): what the bridge supports, in the
// library's own RFC 7643 schema definitions so the attributes described are those it checks.
import { ENTERPRISE, GROUP_SCHEMA, LIST_SCHEMA, scimmy, USER_SCHEMA } from './resources';

export const MAX_RESULTS = 1000;

export function serviceProviderConfig(base: string): Record<string, unknown> {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_RESULTS },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [
      { type: 'oauthbearertoken', name: 'OAuth Bearer Token', description: 'A long-lived secret token, or an access token from the bridge\'s token endpoint (OAuth 2.0 client credentials).', specUri: 'https://www.rfc-editor.org/rfc/rfc6750', primary: true },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${base}/ServiceProviderConfig` },
  };
}

export function schemas(base: string): Array<Record<string, unknown>> {
  const lib = scimmy();
  return [lib.Schemas.User, lib.Schemas.EnterpriseUser, lib.Schemas.Group].map((s) => s.definition.describe(`${base}/Schemas`) as Record<string, unknown>);
}

export function resourceTypes(base: string): Array<Record<string, unknown>> {
  const meta = (id: string) => ({ resourceType: 'ResourceType', location: `${base}/ResourceTypes/${id}` });
  return [
    { schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'], id: 'User', name: 'User', endpoint: '/Users', description: 'User Account', schema: USER_SCHEMA, schemaExtensions: [{ schema: ENTERPRISE, required: false }], meta: meta('User') },
    { schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'], id: 'Group', name: 'Group', endpoint: '/Groups', description: 'Group', schema: GROUP_SCHEMA, meta: meta('Group') },
  ];
}

export function listResponse(resources: unknown[], total: number, startIndex: number): Record<string, unknown> {
  return { schemas: [LIST_SCHEMA], totalResults: total, startIndex, itemsPerPage: resources.length, Resources: resources };
}
