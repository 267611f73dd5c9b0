// Batched writes: one POST per call. A batch Halo rejects (400) is split in halves until the bad
// records are isolated, so the good ones are still saved and each bad one gets Halo's message.
// Nothing here depends on the POST answer naming the saved records: Halo's newer document answers
// a batch with one object, or nothing (wire.ts), so a create whose id the answer does not give is
// reported saved with its id unknown, and the caller learns it with one bulk re-read.
import { HaloApiError, haloErrorMessage } from './errors';
import type { SendResult } from './transport';

export type WriteKind = 'user' | 'agent' | 'site' | 'cab';
/** `id: null`: saved (Halo said so), but the answer did not say under which id. */
export type BatchResult = { ok: true; id: number | null } | { ok: false; message: string };

export const WRITE_PATHS: Record<WriteKind, string> = { user: '/Users', agent: '/Agent', site: '/Site', cab: '/CAB' };

export interface ApiPost {
  post(path: string, body: unknown[], idempotent: boolean): Promise<SendResult>;
}

/**
 * For creates in a rejected batch: which of `bodies` Halo saved all the same (id, or null when
 * not saved). A Halo may save the valid records of a batch it answers 400 (DESIGN §6a), so
 * creates are never resent before this says they did not land.
 */
export type Landed = (bodies: Array<Record<string, unknown>>) => Promise<Array<number | null>>;

/** Statuses that speak of the records sent, not of the request as a whole. */
const REJECTED = new Set([400, 404, 409, 422]);

export async function postBatch(api: ApiPost, kind: WriteKind, bodies: Array<Record<string, unknown>>, landed?: Landed): Promise<BatchResult[]> {
  if (!bodies.length) return [];
  const path = WRITE_PATHS[kind];
  const idempotent = bodies.every(isUpdate);
  const res = await api.post(path, bodies, idempotent);
  if (res.status >= 200 && res.status < 300) return savedIds(bodies, res.json);
  if (!REJECTED.has(res.status)) throw new HaloApiError(`POST /api${path}`, res.status, haloErrorMessage(res.text));
  const message = haloErrorMessage(res.text) || `Halo answered ${res.status}`;
  // Creates that landed despite the 400 are done; only the others are tried again.
  const saved: Array<number | null> = !idempotent && landed ? await landed(bodies) : bodies.map(() => null);
  const results: Array<BatchResult | undefined> = saved.map((id) => (id === null ? undefined : { ok: true, id }));
  const rest = bodies.filter((_, i) => saved[i] === null);
  // One record refused on its own is the bad one; anything larger is halved (one left: sent alone).
  const half = Math.ceil(rest.length / 2);
  const retried: BatchResult[] =
    bodies.length === 1 && rest.length === 1
      ? [{ ok: false, message }]
      : [...(await postBatch(api, kind, rest.slice(0, half), landed)), ...(await postBatch(api, kind, rest.slice(half), landed))];
  let r = 0;
  return results.map((x) => x ?? retried[r++]);
}

function isUpdate(b: Record<string, unknown>): boolean {
  return typeof b.id === 'number' && b.id > 0;
}

/**
 * Ids from a 2xx answer where it names every record: an array in request order [U], or one
 * object for a one-record batch [V]. Updates carry their ids; creates it does not name are
 * saved with their id unknown.
 */
function savedIds(bodies: Array<Record<string, unknown>>, json: unknown): BatchResult[] {
  const saved = Array.isArray(json) ? json : json && typeof json === 'object' && bodies.length === 1 ? [json] : undefined;
  const ids = saved?.length === bodies.length ? saved.map((s) => Number((s as Record<string, unknown>)?.id)) : undefined;
  const named = ids && ids.every((id) => Number.isInteger(id) && id > 0) && !bodies.some((b, i) => isUpdate(b) && b.id !== ids[i]);
  return bodies.map((b, i) => ({ ok: true, id: isUpdate(b) ? (b.id as number) : named ? ids![i] : null }));
}
