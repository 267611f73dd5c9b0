// Entra user attributes for completion and hover: the names are Graph's own (core/entra-attributes,
// generated from Graph's metadata); the descriptions of the common ones are ours.
import { ENTRA_USER_ATTRIBUTES } from '../../core/entra-attributes';

export interface EntraAttribute {
  name: string;
  description: string;
  /** Multi-valued: index it, as businessPhones[0]. */
  list?: boolean;
}

/** The attributes most mappings use, in the order completion offers them. */
const DESCRIPTIONS: Readonly<Record<string, string>> = {
  displayName: 'The name shown for the user.',
  givenName: 'First name.',
  surname: 'Last name.',
  mail: 'Primary email address.',
  userPrincipalName: 'Sign-in name, such as adele@contoso.com.',
  jobTitle: 'Job title.',
  department: 'Department.',
  officeLocation: 'Office location, such as Head Office.',
  companyName: 'Company name.',
  businessPhones: 'Business telephone numbers (a list: businessPhones[0] is the first).',
  mobilePhone: 'Mobile telephone number.',
  faxNumber: 'Fax number.',
  employeeId: 'Employee identifier assigned by the organisation.',
  employeeType: 'Employee type, such as Employee or Contractor.',
  employeeHireDate: 'Hire date.',
  userType: 'Member or Guest.',
  accountEnabled: 'true when the account can sign in.',
  city: 'City.',
  state: 'State or province.',
  country: 'Country or region.',
  postalCode: 'Postal code.',
  streetAddress: 'Street address.',
  usageLocation: 'Two-letter country code for licence assignment.',
  preferredLanguage: 'Preferred language, such as en-GB.',
  mailNickname: 'Mail alias.',
  otherMails: 'Other email addresses (a list).',
  proxyAddresses: 'Proxy addresses, such as SMTP:adele@contoso.com (a list).',
  ageGroup: 'Age group: null, Minor, NotAdult or Adult.',
  id: 'Entra object id.',
  onPremisesSamAccountName: 'On-premises sAMAccountName (synchronised users).',
  onPremisesUserPrincipalName: 'On-premises user principal name (synchronised users).',
  onPremisesImmutableId: 'On-premises immutable id (synchronised users).',
  creationType: 'How the account was made: null (a regular account), Invitation (a guest), LocalAccount, EmailVerified or SelfServiceSignUp.',
  'employeeOrgData.division': 'Division of the organisation the user works in.',
  'employeeOrgData.costCenter': 'Cost centre of the user.',
  'signInActivity.lastSignInDateTime': 'Last interactive sign-in. Needs the Graph permission AuditLog.Read.All (and Entra ID P1).',
};

const described = Object.keys(DESCRIPTIONS);
const byOrder = (a: string, b: string) => (described.indexOf(a) + 1 || Infinity) - (described.indexOf(b) + 1 || Infinity) || (a < b ? -1 : a > b ? 1 : 0);

/** Every attribute the users list has, the common ones first. */
export const ENTRA_ATTRIBUTES: readonly EntraAttribute[] = [...ENTRA_USER_ATTRIBUTES]
  .sort((a, b) => byOrder(a.name, b.name))
  .map((a) => ({ name: a.name, description: DESCRIPTIONS[a.name] ?? `Graph user property (${a.type}${a.list ? ', a list' : ''}).`, ...(a.list ? { list: true } : {}) }));

/** Values Entra gives some attributes, for `where:`. */
export const ATTRIBUTE_VALUES: Readonly<Record<string, readonly string[]>> = {
  userType: ['Member', 'Guest'],
  accountEnabled: ['true', 'false'],
  ageGroup: ['Minor', 'NotAdult', 'Adult'],
  creationType: ['Invitation', 'LocalAccount', 'EmailVerified', 'SelfServiceSignUp'],
};

/** The Entra attribute most Halo fields of that name are filled from. */
export const FIELD_SOURCES: Readonly<Record<string, string>> = {
  name: 'displayName',
  firstname: 'givenName',
  surname: 'surname',
  emailaddress: '[mail, userPrincipalName]',
  email: '[mail, userPrincipalName]',
  title: 'jobTitle',
  jobtitle: 'jobTitle',
  phonenumber: 'businessPhones[0]',
  mobilenumber: 'mobilePhone',
  sms: 'mobilePhone',
  department: 'department',
  login: 'userPrincipalName',
  ad: 'userPrincipalName',
  fax: 'faxNumber',
};

/** Halo fields most mappings write, offered first. */
export const COMMON_FIELDS: Readonly<Record<'users' | 'agents', readonly string[]>> = {
  users: ['name', 'firstname', 'surname', 'emailaddress', 'title', 'phonenumber', 'mobilenumber', 'department', 'login', 'email2', 'notes'],
  agents: ['name', 'firstname', 'surname', 'email', 'jobtitle', 'department', 'sms', 'ad', 'initials', 'signature'],
};

/** Fields Halo Identity writes itself (see the owned-field check): never offered. */
export const OWNED_FIELDS: Readonly<Record<'users' | 'agents', readonly string[]>> = {
  users: ['id', 'site_id', 'client_id', 'inactive', 'azureoid'],
  agents: ['id', 'isdisabled'],
};
