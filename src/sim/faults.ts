// Fault injection shared by the simulators: per route, the next N matching requests misbehave.
import type { IncomingMessage, ServerResponse } from 'node:http';

export type FaultKind =
  | 'status' // answer `status` (with `retryAfter` and `body` when given)
  | 'latency' // answer normally after `latencyMs`
  | 'timeout' // accept the request and never answer (after processing it, if `afterProcessing`)
  | 'truncate' // answer 200 with the first half of the real body, then cut the connection
  | 'reset' // destroy the connection before answering (after the server has processed it, if `afterProcessing`)
  | 'expireToken'; // treat the bearer token as expired (401)

export interface FaultRule {
  /** HTTP method to match; any when absent. */
  method?: string;
  /** Matched against the request path (without query): a RegExp, or a substring. */
  path: RegExp | string;
  kind: FaultKind;
  status?: number;
  /** Value of the Retry-After header (seconds, may be fractional); none when absent. */
  retryAfter?: string;
  /** More headers of a `status` answer (a simulator adds its own, such as Okta's X-Rate-Limit-*). */
  headers?: Record<string, string>;
  body?: string;
  latencyMs?: number;
  /** For `reset` and `timeout`: process the request first (the write lands), then drop or hold the answer. */
  afterProcessing?: boolean;
  /** Let this many matching requests through untouched first. */
  skip?: number;
  /** How many matching requests misbehave (default 1; Infinity for all). */
  times?: number;
}

interface Armed extends FaultRule {
  seen: number;
  fired: number;
}

export class Faults {
  private rules: Armed[] = [];
  /** Injected faults that fired, for assertions and reports. */
  readonly fired: Array<{ method: string; path: string; kind: FaultKind; status?: number }> = [];

  add(rule: FaultRule): this {
    this.rules.push({ ...rule, seen: 0, fired: 0 });
    return this;
  }

  clear(): void {
    this.rules = [];
  }

  /** The fault this request should suffer, if any (consumes one firing). */
  take(method: string, path: string): FaultRule | undefined {
    for (const r of this.rules) {
      if (r.method && r.method.toUpperCase() !== method.toUpperCase()) continue;
      if (typeof r.path === 'string' ? !path.includes(r.path) : !r.path.test(path)) continue;
      r.seen++;
      if (r.seen <= (r.skip ?? 0)) continue;
      if (r.fired >= (r.times ?? 1)) continue;
      r.fired++;
      this.fired.push({ method, path, kind: r.kind, status: r.status });
      return r;
    }
    return undefined;
  }
}

/**
 * Answer a request whose fault needs no help from the route (status, timeout, reset before
 * processing). Returns true when the fault fully handled the request.
 */
export function answerFault(fault: FaultRule, req: IncomingMessage, res: ServerResponse): boolean {
  switch (fault.kind) {
    case 'status': {
      const headers: Record<string, string> = { 'content-type': 'application/json', ...fault.headers };
      if (fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter;
      res.writeHead(fault.status ?? 500, headers);
      res.end(fault.body ?? JSON.stringify({ Message: 'Injected fault' }));
      return true;
    }
    case 'timeout':
      if (fault.afterProcessing) return false;
      req.resume(); // read and hold: the client must give up on its own
      return true;
    case 'reset':
      if (fault.afterProcessing) return false;
      req.socket.destroy();
      return true;
    default:
      return false;
  }
}

/** Send `body` as JSON, honouring a `truncate` or after-processing `reset` fault. */
export function sendJson(res: ServerResponse, status: number, body: unknown, fault?: FaultRule, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  if (fault?.kind === 'reset' && fault.afterProcessing) {
    res.socket?.destroy();
    return;
  }
  if (fault?.kind === 'timeout' && fault.afterProcessing) return; // saved, never answered
  if (fault?.kind === 'truncate') {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers });
    res.write(text.slice(0, Math.floor(text.length / 2)));
    setTimeout(() => res.socket?.destroy(), 5);
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(text);
}
