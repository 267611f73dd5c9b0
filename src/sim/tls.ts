// Certificates made at start-up for the simulators. The server certificate is self-signed and is
// what clients add as a trusted CA: TLS verification stays on everywhere.
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import * as selfsigned from 'selfsigned';

export interface TlsMaterial {
  /** Private key (PEM). */
  key: string;
  /** Certificate (PEM); clients trust it as a CA. */
  cert: string;
}

export interface AppCertificateCredential {
  /** PKCS#8 private key (PEM), as MSAL's `clientCertificate.privateKey` takes it. */
  privateKey: string;
  /** The public certificate (PEM), as uploaded to the app registration. */
  certificatePem: string;
  /** SHA-256 thumbprint of the certificate's DER, upper-case hex (as the Entra portal shows it). */
  thumbprintSha256: string;
}

const DAY_MS = 86_400_000;

/** A self-signed server certificate whose subject alternative names cover `hosts`. */
export async function makeCertificate(hosts: string[] = ['127.0.0.1', 'localhost']): Promise<TlsMaterial> {
  const now = Date.now();
  const pems = await selfsigned.generate([{ name: 'commonName', value: hosts[0] ?? 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    // Back-dated a little so clock skew between processes never makes it "not yet valid".
    notBeforeDate: new Date(now - DAY_MS),
    notAfterDate: new Date(now + 30 * DAY_MS),
    extensions: [
      // A trust anchor that is also the leaf: OpenSSL accepts it only as a CA certificate.
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: hosts.map((h) => (isIP(h) ? { type: 7 as const, ip: h } : { type: 2 as const, value: h })) },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}

/** A key pair and certificate for an app registration's certificate credential. */
export async function makeAppCredential(commonName = 'halo-identity-app'): Promise<AppCertificateCredential> {
  const now = Date.now();
  const pems = await selfsigned.generate([{ name: 'commonName', value: commonName }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(now - DAY_MS),
    notAfterDate: new Date(now + 365 * DAY_MS),
  });
  return { privateKey: pems.private, certificatePem: pems.cert, thumbprintSha256: thumbprintSha256(pems.cert) };
}

/** SHA-256 over the certificate's DER, as hex without separators (upper case). */
export function thumbprintSha256(certificatePem: string): string {
  return new X509Certificate(certificatePem).fingerprint256.replace(/:/g, '').toUpperCase();
}
