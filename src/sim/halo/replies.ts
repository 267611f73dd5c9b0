// Answers in the shapes Halo is known to use (halo-api.md §4). Handlers return a Reply; the server
// writes it, so that injected faults (truncate, reset after processing) apply uniformly.

export interface Reply {
  status: number;
  /** JSON body; ignored when `text` is given. */
  body?: unknown;
  /** Raw text body (content-type text/plain). */
  text?: string;
  headers?: Record<string, string>;
}

export const ok = (body: unknown): Reply => ({ status: 200, body });

/** [V] a serialised .NET exception, as Halo answers business-rule failures. */
export const validationError = (message: string): Reply => ({
  status: 400,
  body: { ClassName: 'HaloValidationException', Message: message },
});

/** [I] an ASP.NET ModelState dictionary keyed by array path, e.g. `[0].site_id` (n8n reads `body['[0].id']`). */
export const modelStateError = (errors: Record<string, string[]>): Reply => ({ status: 400, body: errors });

/** [V] 404 for an unknown id on GET. */
export const notFound = (message: string): Reply => ({ status: 404, body: { Message: message } });

/** [I] ASP.NET Web API's standard text for a missing or invalid bearer token. */
export const unauthorized = (): Reply => ({ status: 401, body: { Message: 'Authorization has been denied for this request.' } });
/** [I] Halo documents 403 for a missing permission, not its body: ASP.NET's usual shape. */
export const forbidden = (): Reply => ({ status: 403, body: { Message: 'You do not have permission to access this resource.' } });

/** [V] OAuth error body of the token endpoint. */
export const oauthError = (status: number, error: string, description?: string): Reply => ({
  status,
  body: description ? { error, error_description: description } : { error },
});
