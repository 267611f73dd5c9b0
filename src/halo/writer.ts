// Batched writes: one POST per call. A batch Halo rejects as a whole (400) is split in halves until
// the bad records are isolated, so the good ones are still saved and each bad one gets Halo's
// message (wire.ts: a rejected batch saves nothing).
import { HaloApiError, UncertainWriteError, haloErrorMessage } from './errors';
import type { SendResult } from './transport';

export type WriteKind = 'user' | 'agent' | 'site' | 'cab';
export type BatchResult = { ok: true; id: number } | { ok: false; message: string };

export const WRITE_PATHS: Record<WriteKind, string> = { user: '/Users', agent: '/Agent', site: '/Site', cab: '/CAB' };

export interface ApiPost {
  post(path: string, body: unknown[], idempotent: boolean): Promise<SendResult>;
}

/** Statuses that speak of the records sent, not of the request as a whole. */
const REJECTED = new Set([400, 404, 409, 422]);

export async function postBatch(api: ApiPost, kind: WriteKind, bodies: Array<Record<string, unknown>>): Promise<BatchResult[]> {
  if (!bodies.length) return [];
  const path = WRITE_PATHS[kind];
  const idempotent = bodies.every((b) => typeof b.id === 'number' && b.id > 0);
  const res = await api.post(path, bodies, idempotent);
  if (res.status >= 200 && res.status < 300) return savedIds(path, bodies, res.json, idempotent);
  if (!REJECTED.has(res.status)) throw new HaloApiError(`POST /api${path}`, res.status, haloErrorMessage(res.text));
  if (bodies.length === 1) return [{ ok: false, message: haloErrorMessage(res.text) || `Halo answered ${res.status}` }];
  const half = Math.ceil(bodies.length / 2);
  const left = await postBatch(api, kind, bodies.slice(0, half));
  const right = await postBatch(api, kind, bodies.slice(half));
  return [...left, ...right];
}

/** One record → the saved object [V]; several → an array in request order [U]. */
function savedIds(path: string, bodies: Array<Record<string, unknown>>, json: unknown, idempotent: boolean): BatchResult[] {
  const saved = Array.isArray(json) ? json : json && typeof json === 'object' && bodies.length === 1 ? [json] : undefined;
  const ids = saved?.length === bodies.length ? saved.map((s) => Number((s as Record<string, unknown>)?.id)) : undefined;
  if (ids && ids.every((id) => Number.isInteger(id) && id > 0)) {
    const mismatch = bodies.some((b, i) => typeof b.id === 'number' && b.id > 0 && b.id !== ids[i]);
    if (!mismatch) return ids.map((id) => ({ ok: true, id }));
  }
  // Updates name their records; creates need Halo to say which ids it gave.
  if (idempotent) return bodies.map((b) => ({ ok: true, id: b.id as number }));
  throw new UncertainWriteError(`POST /api${path}`, 'the answer did not say which records were created');
}
