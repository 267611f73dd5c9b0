// Which properties Graph knows for each directory object type, and which it returns unasked.
// Documented: MGD resources/user.md (v1.0) lists the user properties and the 11 returned by default.
// Assumed: the group and device defaults below are a representative subset, not the full lists.

/** Returned by GET /users without $select (MGD api-reference/v1.0/api/user-list.md). */
export const USER_DEFAULT_PROPERTIES = [
  'businessPhones',
  'displayName',
  'givenName',
  'id',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
];

/** v1.0 user properties that $select accepts (MGD resources/user.md). */
export const USER_PROPERTIES = [
  ...USER_DEFAULT_PROPERTIES,
  'aboutMe',
  'accountEnabled',
  'ageGroup',
  'assignedLicenses',
  'assignedPlans',
  'birthday',
  'city',
  'companyName',
  'consentProvidedForMinor',
  'country',
  'createdDateTime',
  'creationType',
  'deletedDateTime',
  'department',
  'employeeHireDate',
  'employeeId',
  'employeeLeaveDateTime',
  'employeeOrgData',
  'employeeType',
  'externalUserState',
  'externalUserStateChangeDateTime',
  'faxNumber',
  'hireDate',
  'identities',
  'imAddresses',
  'isResourceAccount',
  'lastPasswordChangeDateTime',
  'legalAgeGroupClassification',
  'mailNickname',
  'onPremisesDistinguishedName',
  'onPremisesDomainName',
  'onPremisesExtensionAttributes',
  'onPremisesImmutableId',
  'onPremisesLastSyncDateTime',
  'onPremisesSamAccountName',
  'onPremisesSecurityIdentifier',
  'onPremisesSyncEnabled',
  'onPremisesUserPrincipalName',
  'otherMails',
  'passwordPolicies',
  'postalCode',
  'preferredDataLocation',
  'proxyAddresses',
  'securityIdentifier',
  'showInAddressList',
  'signInSessionsValidFromDateTime',
  'state',
  'streetAddress',
  'usageLocation',
  'userType',
];

/** Collection-valued user properties: Graph returns [] rather than null when they are empty. */
export const USER_COLLECTIONS = new Set([
  'businessPhones',
  'assignedLicenses',
  'assignedPlans',
  'identities',
  'imAddresses',
  'otherMails',
  'proxyAddresses',
]);

export const GROUP_DEFAULT_PROPERTIES = [
  'id',
  'displayName',
  'description',
  'groupTypes',
  'mail',
  'mailEnabled',
  'mailNickname',
  'securityEnabled',
  'createdDateTime',
];
export const GROUP_PROPERTIES = [...GROUP_DEFAULT_PROPERTIES, 'visibility', 'isAssignableToRole', 'membershipRule', 'deletedDateTime'];
export const GROUP_COLLECTIONS = new Set(['groupTypes']);

export const DEVICE_DEFAULT_PROPERTIES = ['id', 'displayName', 'accountEnabled', 'deviceId', 'operatingSystem', 'operatingSystemVersion', 'trustType'];
export const DEVICE_PROPERTIES = DEVICE_DEFAULT_PROPERTIES;

export type ObjectKind = 'user' | 'group' | 'device';

export const ODATA_TYPE: Record<ObjectKind, string> = {
  user: '#microsoft.graph.user',
  group: '#microsoft.graph.group',
  device: '#microsoft.graph.device',
};

const catalogue: Record<ObjectKind, { all: string[]; defaults: string[]; collections: Set<string> }> = {
  user: { all: USER_PROPERTIES, defaults: USER_DEFAULT_PROPERTIES, collections: USER_COLLECTIONS },
  group: { all: GROUP_PROPERTIES, defaults: GROUP_DEFAULT_PROPERTIES, collections: GROUP_COLLECTIONS },
  device: { all: DEVICE_PROPERTIES, defaults: DEVICE_DEFAULT_PROPERTIES, collections: new Set() },
};

export function defaultProperties(kind: ObjectKind): string[] {
  return catalogue[kind].defaults;
}

/**
 * The canonical name of `name` on `kind`, or undefined when Graph would reject it. Graph matches
 * property names case-insensitively; directory extensions (`extension_{appId}_{name}`) are
 * accepted when some record carries them (`extra`).
 */
export function canonicalProperty(kind: ObjectKind, name: string, extra: Iterable<string> = []): string | undefined {
  const lower = name.toLowerCase();
  for (const p of catalogue[kind].all) if (p.toLowerCase() === lower) return p;
  for (const p of extra) if (p.toLowerCase() === lower) return p;
  return undefined;
}

/** `record` reduced to `props`, with Graph's empty values for what the record lacks. */
export function project(kind: ObjectKind, record: Record<string, unknown>, props: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of props) {
    const v = record[p];
    out[p] = v === undefined ? (catalogue[kind].collections.has(p) ? [] : null) : v;
  }
  return out;
}
