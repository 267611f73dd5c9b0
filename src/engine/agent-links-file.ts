// The agent links (src/core/agent-links.ts) kept in the state folder: Halo agent ids and Entra
// object ids, no names or emails.
import { AgentLink, parseAgentLinks } from '../core/agent-links';
import { readStateJson, writeStateJson } from './state-file';

const FILE = 'agent-links.json';

export function readAgentLinks(stateDir: string): AgentLink[] {
  return parseAgentLinks(readStateJson(stateDir, FILE));
}

export function writeAgentLinks(stateDir: string, links: AgentLink[]): void {
  writeStateJson(stateDir, FILE, links);
}
