// The normative example mapping (examples/halo-identity.yaml), embedded so the demo and the
// simulator need no files; a unit test keeps the two identical.
export const EXAMPLE_MAPPING = `# halo-identity.yaml: which Entra ID identities become which Halo agents and users.
# Normative example: it must validate unchanged, and \`plan\` on it must work against the simulators
# (with the URLs below replaced by the simulators' URLs).
version: 1

halo:
  url: https://contoso.halopsa.com            # instance; the API is {url}/api
  authUrl: https://contoso.halopsa.com/auth   # optional: else discovered from {url}/api/authinfo, else {url}/auth
  tenant: contoso                              # optional: hosted instances send ?tenant= on the token request
  clientId: \${env:HALO_CLIENT_ID}
  clientSecret: \${env:HALO_CLIENT_SECRET}      # secrets are references, never literals
  scope: all                                   # optional, default "all"

entra:
  - name: contoso                              # connection name; rules name it with \`tenant:\`
    tenantId: 72f988bf-86f1-41af-91ab-2d7cd011db47
    clientId: \${env:ENTRA_CLIENT_ID}
    clientSecret: \${env:ENTRA_CLIENT_SECRET}   # or certificate: { thumbprintSha256: ..., privateKeyFile: ... }
    cloud: global                              # global | usgov | china | { loginUrl: ..., graphUrl: ... }

match:                                         # how an Entra identity finds its existing Halo record, in order
  users: [azureoid, emailaddress]
  agents: [email]

agents:                                        # first matching rule wins (order = sequence)
  - rule: service-desk
    from:
      group: SG-Halo-Agents                    # transitive membership
    team: Service Desk
    roles: [Technician]
    licence: named                             # named | concurrent | unchanged

users:
  - rule: head-office-staff
    from:
      group: All Staff
      where: { userType: Member, officeLocation: Head Office }
    client: Contoso
    site: Head Office
    roles: [End User]
  - rule: branch-staff
    from:
      group: All Staff
      where: { userType: Member }
    client: Contoso
    siteFrom: officeLocation                   # one site per distinct value under \`client\`
    createSites: true

roles:                                         # extra roles granted by group membership
  - group: SG-Halo-Admins
    agentRoles: [Administrator]
  - group: SG-Approvers
    userRoles: [Approver]
  - noManager: true                            # users with no manager in Entra
    userRoles: [Senior Staff]

cab:
  - group: SG-CAB
    cab: Change Advisory Board
    role: Approver

fields:                                        # Halo field: Entra attribute, or a list = first non-empty
  users:
    name: displayName
    firstname: givenName
    surname: surname
    emailaddress: [mail, userPrincipalName]
    title: jobTitle
    phonenumber: businessPhones[0]
    CFDepartment: department                   # a custom field, by its Halo name
  agents:
    name: displayName
    firstname: givenName
    surname: surname
    email: [mail, userPrincipalName]
    jobtitle: jobTitle

deprovision:
  users: deactivate                            # deactivate | ignore (never delete)
  agents: deactivate
  orphans: report                              # Halo records linked to no Entra identity: report | deactivate

protect:                                       # never created, changed or deactivated
  - email: breakglass@contoso.com

safety:
  maxDeactivations: 10                         # a number, or a share such as "5%"
  maxChanges: 1000
`;
