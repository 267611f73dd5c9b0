// Halo's error bodies come in several shapes (halo-api.md §4); they are turned into one readable
// message here, and the client's failures get types the engine can act on.

const MAX_TEXT = 500;

/** One readable message from any Halo error body; '' when the body says nothing. */
export function haloErrorMessage(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return '';
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    return rawText(trimmed);
  }
  return fromJson(json) || rawText(trimmed);
}

function fromJson(json: unknown): string {
  if (typeof json === 'string') return json;
  if (Array.isArray(json)) return json.map(fromJson).filter(Boolean).join('; ');
  if (!json || typeof json !== 'object') return json === null ? '' : String(json);
  const o = json as Record<string, unknown>;
  const str = (k: string) => (typeof o[k] === 'string' && (o[k] as string).trim() ? (o[k] as string).trim() : undefined);
  // {resultCode, errorMessage}
  if (str('errorMessage')) return str('errorMessage')!;
  // {Message, ModelState} (ASP.NET Web API) and {title, errors} (ASP.NET Core problem details)
  for (const [head, dict] of [
    ['Message', 'ModelState'],
    ['title', 'errors'],
  ] as const) {
    if (o[dict] && typeof o[dict] === 'object') {
      const details = modelState(o[dict] as Record<string, unknown>);
      return [str(head), details].filter(Boolean).join(' ');
    }
  }
  // {ClassName, Message} (serialised .NET exception) and {Message}
  const message = str('Message') ?? str('message');
  if (message) {
    const inner = o.InnerException && typeof o.InnerException === 'object' ? fromJson(o.InnerException) : '';
    return inner && inner !== message ? `${message} (${inner})` : message;
  }
  // {error, error_description} (OAuth)
  if (str('error')) return str('error_description') ? `${str('error')}: ${str('error_description')}` : str('error')!;
  // A ModelState dictionary on its own: {"[0].site_id": ["…"]}
  if (Object.values(o).length && Object.values(o).every((v) => typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string')))) {
    return modelState(o);
  }
  return '';
}

function modelState(dict: Record<string, unknown>): string {
  return Object.entries(dict)
    .map(([key, v]) => {
      const text = (Array.isArray(v) ? v : [v]).filter((x) => typeof x === 'string' && x).join(' ');
      return key ? `${key}: ${text}` : text;
    })
    .filter(Boolean)
    .join('; ');
}

function rawText(text: string): string {
  if (/^<(!doctype|html)/i.test(text)) {
    const title = /<title>([^<]*)<\/title>/i.exec(text)?.[1]?.trim();
    return title ? `HTML page "${title}"` : 'an HTML page';
  }
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length > MAX_TEXT ? `${oneLine.slice(0, MAX_TEXT)}…` : oneLine;
}

/** Halo answered with an error status that retrying will not fix. */
export class HaloApiError extends Error {
  constructor(
    readonly endpoint: string,
    readonly status: number,
    readonly haloMessage: string,
  ) {
    super(`Halo ${endpoint} answered ${status}${haloMessage ? `: ${haloMessage}` : ''}${hint(status)}`);
    this.name = 'HaloApiError';
  }
}

function hint(status: number): string {
  if (status === 401) return ' (the token was refused even after renewing it)';
  if (status === 403) return ' (the API application, or the agent it logs in as, lacks permission)';
  return '';
}

/** The credentials were refused, or no token could be had. Never carries the secret. */
export class HaloAuthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HaloAuthError';
  }
}

/**
 * A batch with creates may or may not have been saved (5xx, timeout or a connection broken after
 * sending). Resending could duplicate records: re-read Halo and re-plan instead.
 */
export class UncertainWriteError extends Error {
  constructor(
    readonly endpoint: string,
    readonly problem: string,
  ) {
    super(`Halo ${endpoint} may or may not have saved this batch (${problem}); it was not resent: re-read Halo and plan again`);
    this.name = 'UncertainWriteError';
  }
}

/** Retries with backoff were exhausted. */
export class HaloGaveUpError extends Error {
  constructor(
    readonly endpoint: string,
    readonly attempts: number,
    readonly problem: string,
  ) {
    super(`Halo ${endpoint} did not succeed after ${attempts} attempts; last problem: ${problem}`);
    this.name = 'HaloGaveUpError';
  }
}

/** A list read that cannot be trusted to be complete (short or malformed page). */
export class HaloReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HaloReadError';
  }
}
