// Masks secret values before anything is written to the log: every value resolved for a
// `${env:…}`/`${secret:…}` reference or read from the secret store, and anything that looks like
// a bearer token or a JWT even when it was never registered.

const MIN_LENGTH = 4;
const BEARER = /\b(Bearer\s+)[A-Za-z0-9\-._~+/]+=*/gi;
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
const PEM = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g;

export class Redactor {
  private readonly values = new Set<string>();
  private sorted: string[] = [];

  add(value: string | undefined | null): void {
    if (!value || value.length < MIN_LENGTH || this.values.has(value)) return;
    this.values.add(value);
    // Longest first, so a secret that contains another is masked whole.
    this.sorted = [...this.values].sort((a, b) => b.length - a.length);
  }

  apply(text: string): string {
    let out = text;
    for (const v of this.sorted) if (out.includes(v)) out = out.split(v).join('[redacted]');
    return out.replace(PEM, '[redacted private key]').replace(BEARER, '$1[redacted]').replace(JWT, '[redacted token]');
  }
}
