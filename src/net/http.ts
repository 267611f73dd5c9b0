// One small HTTP(S) client for both APIs: timeouts, cancellation and extra trusted CAs, over
// node:http(s) so that TLS verification is always on and no global state is touched.
import * as http from 'node:http';
import * as https from 'node:https';
import * as tls from 'node:tls';
import { insecureUrlProblem, isLoopback } from '../core/urls';

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** Milliseconds until the request is abandoned (default 60 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
}

/** A failure below HTTP (refused, reset, timed out, TLS): retryable, unlike most 4xx. */
export class NetworkError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'NetworkError';
  }
}

export class AbortedError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'AbortedError';
  }
}

export interface HttpClientOptions {
  /** Extra certificate authorities (PEM) trusted in addition to Node's defaults. */
  ca?: string[];
  userAgent?: string;
}

/** https is required, except on loopback, where the simulators and test servers live. */
export function assertSecureUrl(url: string, what: string): void {
  const problem = insecureUrlProblem(url);
  if (problem) throw new Error(`${what} ${problem}: ${url}`);
}

export { isLoopback };

export class HttpClient {
  private readonly httpsAgent: https.Agent;
  private readonly httpAgent = new http.Agent({ keepAlive: true });

  constructor(private readonly options: HttpClientOptions = {}) {
    this.httpsAgent = new https.Agent({ keepAlive: true, ...this.agentOptions });
  }

  /** The agent (with our CAs) for libraries that make their own HTTPS requests, such as MSAL. */
  get agentOptions(): https.AgentOptions {
    return this.options.ca?.length ? { ca: [...tls.rootCertificates, ...this.options.ca] } : {};
  }

  request(req: HttpRequest): Promise<HttpResponse> {
    const url = new URL(req.url);
    const isHttps = url.protocol === 'https:';
    const mod = isHttps ? https : http;
    const headers: Record<string, string> = { 'user-agent': this.options.userAgent ?? 'halo-identity', ...req.headers };
    if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
    return new Promise<HttpResponse>((resolve, reject) => {
      if (req.signal?.aborted) return reject(new AbortedError());
      const r = mod.request(
        url,
        { method: req.method, headers, agent: isHttps ? this.httpsAgent : this.httpAgent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (e) => fail(new NetworkError(`response from ${url.host} broke off: ${e.message}`, 'ERESPONSE')));
          res.on('end', () => {
            if (!res.complete) return fail(new NetworkError(`response from ${url.host} was cut short`, 'ETRUNCATED'));
            cleanup();
            const out: Record<string, string> = {};
            for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
            resolve({ status: res.statusCode ?? 0, headers: out, text: Buffer.concat(chunks).toString('utf8') });
          });
        },
      );
      const timeoutMs = req.timeoutMs ?? 60_000;
      const timer = setTimeout(() => {
        r.destroy();
        fail(new NetworkError(`no answer from ${url.host} within ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`}`, 'ETIMEDOUT'));
      }, timeoutMs);
      const onAbort = () => {
        r.destroy();
        fail(new AbortedError());
      };
      req.signal?.addEventListener('abort', onAbort, { once: true });
      let settled = false;
      function cleanup() {
        settled = true;
        clearTimeout(timer);
        req.signal?.removeEventListener('abort', onAbort);
      }
      function fail(e: Error) {
        if (settled) return;
        cleanup();
        reject(e);
      }
      r.on('error', (e: NodeJS.ErrnoException) => fail(new NetworkError(`cannot reach ${url.host}: ${e.message}`, e.code ?? 'ENETWORK')));
      if (req.body !== undefined) r.write(req.body);
      r.end();
    });
  }

  close(): void {
    this.httpsAgent.destroy();
    this.httpAgent.destroy();
  }
}

/** Wait `ms`, or less if cancelled (then reject). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError());
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new AbortedError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
