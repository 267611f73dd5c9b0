// The Graph permissions a plan reads with (kept apart from MSAL, so the editor can name them
// without loading it).

/** Application permissions are asked for as {graphUrl}/.default; the grants are these. */
export const GRAPH_PERMISSIONS = ['User.Read.All', 'GroupMember.Read.All'];

/** Delegated scopes for the same permissions. */
export const delegatedScopes = (graphUrl: string): string[] => GRAPH_PERMISSIONS.map((p) => `${graphUrl}/${p}`);
