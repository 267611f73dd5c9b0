// `halo-identity scim serve|token`: the SCIM bridge as a long-running service, and a new secret
// for a connection. Audit lines go to stdout (one JSON object a line, for the host's log
// collector) or a file; the bridge's own messages to stderr.
import * as fs from 'node:fs';
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { formatDiagnostic } from '../core/parse';
import { readMappingFile, validMapping } from '../engine/mapping-file';
import { isLoopback } from '../net/http';
import { newSecret } from '../scim/auth';
import { startBridge } from '../scim/bridge';
import { DEFAULT_MAX_WAIT_MS, DEFAULT_QUIET_MS } from '../scim/sync';
import type { AuditLine } from '../scim/server';
import type { Io } from './main';

export const SCIM_USAGE = `  scim serve [FILE] [--listen HOST:PORT] [--store PATH] [--tls-cert F --tls-key F]
        [--public-url URL] [--quiet SECONDS] [--max-wait SECONDS] [--rate N] [--audit FILE]
        [--no-sync]
                                       the SCIM 2.0 bridge: IdPs (Entra provisioning, Okta,
                                       OneLogin, JumpCloud) push to /scim/v2 with the mapping's
                                       scim: credentials; what they push is planned and applied
                                       to Halo by the mapping's rules (README: "The SCIM bridge");
                                       --no-sync takes pushes into the store and leaves Halo alone
  scim token                           print a new random secret for scim[].tokens or clientSecrets`;

function seconds(v: string | undefined, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number of seconds`);
  return n * 1000;
}

export function parseListen(v: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(v);
  const host = m ? (m[1] ?? m[2]) : '';
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535 || !(isIP(host) || host === 'localhost')) throw new Error(`--listen must be HOST:PORT with an IP address, such as 127.0.0.1:8080 or 0.0.0.0:8080 (got "${v}")`);
  return { host, port };
}

export async function runScim(args: string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'token') {
    io.stdout.write(`${newSecret()}\n`);
    return 0;
  }
  if (sub !== 'serve') {
    io.stderr.write(`Usage:\n${SCIM_USAGE}\n`);
    return 1;
  }
  const { positionals, values } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      listen: { type: 'string' },
      store: { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'public-url': { type: 'string' },
      quiet: { type: 'string' },
      'max-wait': { type: 'string' },
      rate: { type: 'string' },
      audit: { type: 'string' },
      'no-sync': { type: 'boolean' },
    },
  });
  const env = process.env;
  const listen = parseListen(values.listen ?? env.HALO_IDENTITY_SCIM_LISTEN ?? '127.0.0.1:8080');
  const certFile = values['tls-cert'] ?? env.HALO_IDENTITY_SCIM_TLS_CERT;
  const keyFile = values['tls-key'] ?? env.HALO_IDENTITY_SCIM_TLS_KEY;
  if (Boolean(certFile) !== Boolean(keyFile)) throw new Error('give both --tls-cert and --tls-key, or neither');
  const publicUrl = values['public-url'] ?? env.HALO_IDENTITY_SCIM_PUBLIC_URL;
  if (publicUrl && !/^https:\/\/[^/\s]+/.test(publicUrl)) throw new Error('--public-url must start with https:// (the address IdPs reach through the proxy or ingress that ends TLS)');
  // IdPs send a bearer secret with every request: off this machine, it travels only inside TLS.
  if (!certFile && !isLoopback(listen.host) && !publicUrl) {
    throw new Error(`listening on ${listen.host} without TLS: give --tls-cert and --tls-key, or --public-url https://… when a reverse proxy or ingress in front ends TLS`);
  }
  const rate = values.rate ?? env.HALO_IDENTITY_SCIM_RATE;
  const perSecond = rate === undefined ? 100 : Number(rate);
  if (!Number.isFinite(perSecond) || perSecond <= 0) throw new Error('--rate must be requests per second per connection, such as 100');

  const m = readMappingFile(positionals[0] ?? env.HALO_IDENTITY_MAPPING ?? 'halo-identity.yaml');
  const mapping = validMapping(m);
  for (const d of m.parsed.diagnostics) io.stderr.write(`${m.file}:${formatDiagnostic(d)}\n`);
  const auditFile = values.audit ?? env.HALO_IDENTITY_SCIM_AUDIT;
  const auditFd = auditFile && auditFile !== '-' ? fs.openSync(auditFile, 'a', 0o600) : undefined;
  const audit = (line: AuditLine) => {
    const text = `${JSON.stringify(line)}\n`;
    if (auditFd !== undefined) fs.writeSync(auditFd, text);
    else io.stdout.write(text);
  };
  const log = (level: string, message: string) => io.stderr.write(`${new Date().toISOString()} ${level}: ${message}\n`);
  const bridge = await startBridge({
    mapping,
    baseDir: m.baseDir,
    storeFile: values.store ?? env.HALO_IDENTITY_SCIM_STORE,
    listen,
    tls: certFile && keyFile ? { cert: fs.readFileSync(certFile, 'utf8'), key: fs.readFileSync(keyFile, 'utf8') } : undefined,
    publicUrl,
    rateLimit: { perSecond, burst: perSecond * 2 },
    quietMs: seconds(values.quiet ?? env.HALO_IDENTITY_SCIM_QUIET, 'quiet', DEFAULT_QUIET_MS),
    maxWaitMs: seconds(values['max-wait'] ?? env.HALO_IDENTITY_SCIM_MAX_WAIT, 'max-wait', DEFAULT_MAX_WAIT_MS),
    audit,
    log,
    noSync: values['no-sync'],
    connectOptions: { log: (level, message) => (level === 'warn' || level === 'error' ? log(level, message) : undefined) },
  });
  log('info', `SCIM bridge listening at ${publicUrl ?? bridge.url}/scim/v2 (token endpoint ${publicUrl ?? bridge.url}/oauth/token), store ${bridge.store.file}${values['no-sync'] ? ', Halo sync off' : ''}.`);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log('info', `${signal}: finishing requests in flight and any Halo sync, then stopping.`);
      void bridge.stop().then(resolve);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  if (auditFd !== undefined) fs.closeSync(auditFd);
  log('info', 'stopped.');
  return 0;
}
