// A real OpenLDAP slapd (Debian's package) on loopback for the LDAP reader's tests: a generated
// TLS certificate (LDAPS, and StartTLS on the plain port), a read-only bind account, a seeded
// directory of people with managers and leavers and nested groups, and a server-side size limit
// below the number of users, so that only a paged search (RFC 2696) can read them all.
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeCertificate } from '../../src/sim/tls';

export const BASE_DN = 'dc=example,dc=org';
export const READER_DN = `cn=reader,${BASE_DN}`;
export const GROUPS = { staff: 'Branch Staff', sales: 'Branch Sales', support: 'Branch Support', leads: 'Branch Leads' };

export interface SeedUser {
  uid: string;
  dn: string;
  cn: string;
  mail: string;
  title: string;
  leaver: boolean;
  manager: string | null;
}

export interface Slapd {
  /** The server's folder (configuration, database, slapd.pid). */
  dir: string;
  /** ldaps://127.0.0.1:PORT */
  ldapsUrl: string;
  /** ldap://127.0.0.1:PORT (StartTLS offered) */
  ldapUrl: string;
  ca: string;
  password: string;
  sizeLimit: number;
  users: SeedUser[];
  /** Group name → the uids it holds, transitively. */
  members: Record<string, string[]>;
  /** Group name → DN. */
  groupDn: Record<string, string>;
  stop(): Promise<void>;
}

const SLAPD = '/usr/sbin/slapd';
const SLAPADD = '/usr/sbin/slapadd';

export function slapdMissing(): string | undefined {
  return fs.existsSync(SLAPD) && fs.existsSync(SLAPADD) ? undefined : `OpenLDAP's slapd is not installed (${SLAPD}): apt-get install slapd (bash .ci/run does)`;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function accepting(port: number, deadline: number): Promise<void> {
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => (c.end(), resolve(true)));
      c.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`slapd did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startSlapd(options: { users?: number; sizeLimit?: number } = {}): Promise<Slapd> {
  const missing = slapdMissing();
  if (missing) throw new Error(missing);
  const count = options.users ?? 2100;
  const sizeLimit = options.sizeLimit ?? 500;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'halo-identity-slapd-'));
  // Named apart from the simulators' certificate (CN=127.0.0.1): two trusted roots of one name confuse
  // OpenSSL's chain building, which tries only the first.
  const tls = await makeCertificate(['localhost', '127.0.0.1']);
  fs.writeFileSync(path.join(dir, 'cert.pem'), tls.cert);
  fs.writeFileSync(path.join(dir, 'key.pem'), tls.key, { mode: 0o600 });
  fs.mkdirSync(path.join(dir, 'db'));
  const password = `reader-${process.pid}-${Date.now().toString(36)}`;
  const conf = [
    ...['core', 'cosine', 'inetorgperson', 'nis'].map((s) => `include /etc/ldap/schema/${s}.schema`),
    `pidfile ${dir}/slapd.pid`,
    `argsfile ${dir}/slapd.args`,
    'modulepath /usr/lib/ldap',
    'moduleload back_mdb',
    `TLSCertificateFile ${dir}/cert.pem`,
    `TLSCertificateKeyFile ${dir}/key.pem`,
    // The size limit that forces paging: no search returns more than this in one answer.
    `sizelimit size.soft=${sizeLimit} size.hard=${sizeLimit}`,
    'database mdb',
    'maxsize 268435456',
    `suffix "${BASE_DN}"`,
    `rootdn "cn=admin,${BASE_DN}"`,
    `rootpw admin-${password}`,
    `directory ${dir}/db`,
    'index objectClass eq',
    'index member eq',
    'index cn eq',
    'access to attrs=userPassword by anonymous auth by * none',
    `access to * by dn.exact="${READER_DN}" read by * none`,
    // Pages of up to the limit each, as many pages as it takes.
    `limits dn.exact="${READER_DN}" size.soft=${sizeLimit} size.hard=${sizeLimit} size.pr=${sizeLimit} size.prtotal=unlimited`,
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'slapd.conf'), conf + '\n');

  const users: SeedUser[] = [];
  for (let i = 0; i < count; i++) {
    const uid = `user${i}`;
    const boss = Math.floor(i / 10) * 10;
    users.push({ uid, dn: `uid=${uid},ou=people,${BASE_DN}`, cn: `Person ${i}`, mail: `${uid}@branch.example`, title: i % 10 === 0 ? 'Lead' : 'Clerk', leaver: i > 2 && i % 23 === 4, manager: boss === i ? null : `uid=user${boss},ou=people,${BASE_DN}` });
  }
  const entry = (lines: string[]) => lines.join('\n');
  const groupDn = Object.fromEntries(Object.values(GROUPS).map((g) => [g, `cn=${g},ou=groups,${BASE_DN}`]));
  const sales = users.filter((_, i) => i % 3 === 1);
  const support = users.filter((_, i) => i % 3 === 2);
  const direct = users.filter((_, i) => i % 3 === 0 && i % 2 === 0);
  const leads = users.filter((u) => u.title === 'Lead');
  const ldif = [
    entry([`dn: ${BASE_DN}`, 'objectClass: dcObject', 'objectClass: organization', 'dc: example', 'o: Example Branch']),
    entry([`dn: ou=people,${BASE_DN}`, 'objectClass: organizationalUnit', 'ou: people']),
    entry([`dn: ou=groups,${BASE_DN}`, 'objectClass: organizationalUnit', 'ou: groups']),
    entry([`dn: ${READER_DN}`, 'objectClass: organizationalRole', 'objectClass: simpleSecurityObject', 'cn: reader', `userPassword: ${password}`]),
    ...users.map((u, i) =>
      entry([
        `dn: ${u.dn}`,
        'objectClass: inetOrgPerson',
        `uid: ${u.uid}`,
        `cn: ${u.cn}`,
        `sn: ${i}`,
        `givenName: Person`,
        ...(i % 4 ? [`displayName: ${u.cn}`] : []),
        `mail: ${u.mail}`,
        `title: ${u.title}`,
        `departmentNumber: ${['Sales', 'Support', 'Office'][i % 3]}`,
        `telephoneNumber: +44 118 496 ${String(i).padStart(4, '0')}`,
        ...(u.leaver ? ['employeeType: leaver'] : ['employeeType: staff']),
        ...(u.manager ? [`manager: ${u.manager}`] : []),
      ]),
    ),
    // groupOfNames must hold a member: nested groups are members like people.
    entry([`dn: ${groupDn[GROUPS.sales]}`, 'objectClass: groupOfNames', `cn: ${GROUPS.sales}`, ...sales.map((u) => `member: ${u.dn}`)]),
    entry([`dn: ${groupDn[GROUPS.support]}`, 'objectClass: groupOfNames', `cn: ${GROUPS.support}`, ...support.map((u) => `member: ${u.dn}`)]),
    entry([`dn: ${groupDn[GROUPS.staff]}`, 'objectClass: groupOfNames', `cn: ${GROUPS.staff}`, `member: ${groupDn[GROUPS.sales]}`, `member: ${groupDn[GROUPS.support]}`, ...direct.map((u) => `member: ${u.dn}`), `member: cn=nobody,${BASE_DN}`]),
    entry([`dn: ${groupDn[GROUPS.leads]}`, 'objectClass: groupOfNames', `cn: ${GROUPS.leads}`, ...leads.map((u) => `member: ${u.dn}`)]),
  ].join('\n\n');
  fs.writeFileSync(path.join(dir, 'seed.ldif'), ldif + '\n');
  execFileSync(SLAPADD, ['-q', '-f', path.join(dir, 'slapd.conf'), '-l', path.join(dir, 'seed.ldif')], { stdio: 'pipe' });

  const [plain, secure] = [await freePort(), await freePort()];
  const child: ChildProcess = spawn(SLAPD, ['-f', path.join(dir, 'slapd.conf'), '-h', `ldap://127.0.0.1:${plain}/ ldaps://127.0.0.1:${secure}/`, '-d', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    await accepting(secure, Date.now() + 15_000);
    await accepting(plain, Date.now() + 5_000);
  } catch (e) {
    child.kill('SIGKILL');
    throw new Error(`${(e as Error).message}: ${stderr.slice(-2000)}`);
  }
  const uidsOf = (list: SeedUser[]) => list.map((u) => u.uid);
  return {
    dir,
    ldapsUrl: `ldaps://127.0.0.1:${secure}`,
    ldapUrl: `ldap://127.0.0.1:${plain}`,
    ca: tls.cert,
    password,
    sizeLimit,
    users,
    groupDn,
    members: {
      [GROUPS.staff]: [...new Set([...uidsOf(sales), ...uidsOf(support), ...uidsOf(direct)])],
      [GROUPS.sales]: uidsOf(sales),
      [GROUPS.support]: uidsOf(support),
      [GROUPS.leads]: uidsOf(leads),
    },
    async stop() {
      await new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      });
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
