// Agents have no Entra link field in Halo (DESIGN §2a): they are matched by email every run. So an
// agent whose Entra account is hard-deleted would match nothing and fall out of scope, keeping its
// access. The engine remembers which Entra identity each agent last matched; the planner
// deactivates an agent whose remembered identity no longer exists in its tenant.
import type { HaloSnapshot } from './snapshot';

export interface AgentLink {
  haloId: number;
  /** The Entra connection name. */
  tenant: string;
  entraId: string;
}

/**
 * The links to remember after a plan: those it matched, plus earlier ones not matched again whose
 * agent is still active (an agent deactivated, or gone from Halo, needs no memory).
 */
export function nextAgentLinks(previous: readonly AgentLink[], matched: readonly AgentLink[], halo: HaloSnapshot): AgentLink[] {
  const active = new Set(halo.agents.filter((a) => !a.disabled).map((a) => a.id));
  const out = new Map<number, AgentLink>();
  for (const l of previous) if (active.has(l.haloId)) out.set(l.haloId, l);
  for (const l of matched) out.set(l.haloId, l);
  return [...out.values()].sort((a, b) => a.haloId - b.haloId);
}

/** Parses a remembered list, dropping anything malformed (the file is ours, but may be edited). */
export function parseAgentLinks(data: unknown): AgentLink[] {
  if (!Array.isArray(data)) return [];
  return data.filter(
    (l): l is AgentLink => !!l && typeof l === 'object' && Number.isInteger((l as AgentLink).haloId) && typeof (l as AgentLink).tenant === 'string' && typeof (l as AgentLink).entraId === 'string',
  );
}
