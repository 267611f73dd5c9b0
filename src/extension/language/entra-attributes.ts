// Entra user properties that Microsoft Graph returns for users and that make sense in a mapping:
// a static list, since the tenant's own schema extensions are not read for completion.

export interface EntraAttribute {
  name: string;
  description: string;
  /** Multi-valued: index it, as businessPhones[0]. */
  list?: boolean;
}

export const ENTRA_ATTRIBUTES: readonly EntraAttribute[] = [
  { name: 'displayName', description: 'The name shown for the user.' },
  { name: 'givenName', description: 'First name.' },
  { name: 'surname', description: 'Last name.' },
  { name: 'mail', description: 'Primary email address.' },
  { name: 'userPrincipalName', description: 'Sign-in name, such as adele@contoso.com.' },
  { name: 'jobTitle', description: 'Job title.' },
  { name: 'department', description: 'Department.' },
  { name: 'officeLocation', description: 'Office location, such as Head Office.' },
  { name: 'companyName', description: 'Company name.' },
  { name: 'businessPhones', description: 'Business telephone numbers (a list: businessPhones[0] is the first).', list: true },
  { name: 'mobilePhone', description: 'Mobile telephone number.' },
  { name: 'faxNumber', description: 'Fax number.' },
  { name: 'employeeId', description: 'Employee identifier assigned by the organisation.' },
  { name: 'employeeType', description: 'Employee type, such as Employee or Contractor.' },
  { name: 'employeeHireDate', description: 'Hire date.' },
  { name: 'userType', description: 'Member or Guest.' },
  { name: 'accountEnabled', description: 'true when the account can sign in.' },
  { name: 'city', description: 'City.' },
  { name: 'state', description: 'State or province.' },
  { name: 'country', description: 'Country or region.' },
  { name: 'postalCode', description: 'Postal code.' },
  { name: 'streetAddress', description: 'Street address.' },
  { name: 'usageLocation', description: 'Two-letter country code for licence assignment.' },
  { name: 'preferredLanguage', description: 'Preferred language, such as en-GB.' },
  { name: 'mailNickname', description: 'Mail alias.' },
  { name: 'otherMails', description: 'Other email addresses (a list).', list: true },
  { name: 'proxyAddresses', description: 'Proxy addresses, such as SMTP:adele@contoso.com (a list).', list: true },
  { name: 'ageGroup', description: 'Age group: null, Minor, NotAdult or Adult.' },
  { name: 'id', description: 'Entra object id.' },
  { name: 'onPremisesSamAccountName', description: 'On-premises sAMAccountName (synchronised users).' },
  { name: 'onPremisesUserPrincipalName', description: 'On-premises user principal name (synchronised users).' },
  { name: 'onPremisesImmutableId', description: 'On-premises immutable id (synchronised users).' },
];

/** Values Entra gives some attributes, for `where:`. */
export const ATTRIBUTE_VALUES: Readonly<Record<string, readonly string[]>> = {
  userType: ['Member', 'Guest'],
  accountEnabled: ['true', 'false'],
  ageGroup: ['Minor', 'NotAdult', 'Adult'],
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
