// The text of a new mapping file: the normative example with this organisation's own values (the
// Halo instance and the Entra tenant) left blank, so that validation points at each one to fill in.

export function blankExample(example: string): string {
  const lines = example.split('\n');
  const body = lines.slice(lines.findIndex((l) => l.startsWith('version:')));
  const header = [
    '# halo-identity.yaml: which Entra ID identities become which Halo agents and users.',
    '# Fill in halo.url and entra[].tenantId, then run "Halo Identity: Set Halo Credentials" and',
    '# "Halo Identity: Sign in to Entra". Groups, clients, sites, roles and fields below are an example',
    '# to adapt: once the diff has read your tenant, unknown names are flagged with suggestions.',
  ];
  return [...header, ...body]
    .join('\n')
    .replace(/^(\s*url:\s*)https:\/\/\S+/m, '$1""')
    .replace(/^(\s*)(authUrl:\s*)https:\/\/\S+/m, '$1# $2https://<instance>/auth')
    .replace(/^(\s*)(tenant:\s*)(?!")\S+(\s+#.*)$/m, '$1# $2<tenant>$3')
    .replace(/^(\s*tenantId:\s*)[0-9a-fA-F-]{36}/m, '$1""');
}
