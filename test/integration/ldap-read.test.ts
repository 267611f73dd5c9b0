// The LDAP reader against a real OpenLDAP slapd (Debian's), started on loopback: LDAPS and
// StartTLS with the certificate verified, a simple bind, a server-side size limit that only a paged
// search (RFC 2696) gets past, leavers disabled by disabledFilter, managers' DNs resolved, nested
// groups expanded, entryUUID as the stable id, and failures that stop the read.
import assert from 'node:assert/strict';
import { Client, SizeLimitExceededError } from 'ldapts';
import { after, before, describe, it } from 'node:test';
import type { DirectoryNeeds } from '../../src/core/needs';
import { HttpClient } from '../../src/net/http';
import { LdapDirectory, ldapSource } from '../../src/sources/ldap/source';
import { BASE_DN, GROUPS, READER_DN, Slapd, startSlapd } from '../support/slapd';
import { readFails } from '../support/read-fails';

const needs = (extra: Partial<DirectoryNeeds> = {}): DirectoryNeeds => ({ tenant: 'branch', attributes: ['title'], groups: [], manager: false, managerAttributes: [], ...extra });


describe('LDAP reader against OpenLDAP slapd', () => {
  let slapd: Slapd;
  const http = new HttpClient();
  const open = (settings: Record<string, unknown> = {}, ca?: string[]) =>
    ldapSource.open({ name: 'branch', url: slapd.ldapsUrl, bindDn: READER_DN, bindPassword: slapd.password, baseDn: BASE_DN, disabledFilter: '(employeeType=leaver)', ...settings }, { http, ca: ca ?? [slapd.ca], readFile: () => '', retry: { timeoutMs: 10_000 } }) as LdapDirectory;

  before(async () => {
    slapd = await startSlapd({ users: 2100, sizeLimit: 500 });
  });
  after(async () => {
    http.close();
    await slapd?.stop();
  });

  it('the server refuses a search past its size limit: only paging reads everyone', async () => {
    const c = new Client({ url: slapd.ldapsUrl, tlsOptions: { ca: [slapd.ca] } });
    try {
      await c.bind(READER_DN, slapd.password);
      await assert.rejects(c.search(`ou=people,${BASE_DN}`, { scope: 'sub', filter: '(objectClass=inetOrgPerson)', attributes: ['uid'] }), SizeLimitExceededError);
    } finally {
      await c.unbind();
    }
  });

  it('reads every user over LDAPS in pages of the server\'s size, each by its entryUUID', async () => {
    const dir = open();
    const snap = await dir.read(needs({ attributes: ['title', 'uid', 'departmentNumber'] }), {});
    assert.equal(snap.users.length, slapd.users.length);
    assert.equal(new Set(snap.users.map((u) => u.id)).size, slapd.users.length);
    assert.ok(snap.users.every((u) => /^[0-9a-f]{8}-[0-9a-f]{4}-/.test(u.id)), 'ids are entryUUIDs');
    assert.equal(dir.last!.kind, 'openldap');
    assert.ok(dir.last!.pages >= Math.ceil(slapd.users.length / slapd.sizeLimit), `${dir.last!.pages} pages`);
    const u = snap.users.find((x) => x.attrs.uid === 'user5')!;
    assert.deepEqual([u.name, u.email, u.login, u.attrs.title, u.attrs.departmentNumber], ['Person 5', 'user5@branch.example', 'user5', 'Clerk', 'Office']);
    assert.equal(snap.users.find((x) => x.attrs.uid === 'user4')!.name, 'Person 4', 'cn when there is no displayName');
    // The same ids at the next read: the link is stable.
    const again = await open().read(needs({ attributes: ['uid'] }), {});
    assert.deepEqual(new Map(again.users.map((x) => [x.attrs.uid, x.id])), new Map(snap.users.map((x) => [x.attrs.uid, x.id])));
  });

  it('leavers are disabled by disabledFilter; managers\' DNs resolve to their users', async () => {
    const snap = await open().read(needs({ attributes: ['uid', 'title'], manager: true, managerAttributes: ['title'] }), {});
    const byUid = new Map(snap.users.map((u) => [String(u.attrs.uid), u]));
    const leavers = slapd.users.filter((u) => u.leaver).map((u) => u.uid).sort();
    assert.ok(leavers.length > 50);
    assert.deepEqual(snap.users.filter((u) => !u.enabled).map((u) => String(u.attrs.uid)).sort(), leavers);
    assert.equal(byUid.get('user13')!.managerId, byUid.get('user10')!.id);
    assert.equal(byUid.get('user13')!.attrs['manager.title'], 'Lead');
    assert.equal(byUid.get('user10')!.managerId, null);
  });

  it('groups by name or DN; nested groups expanded; a member that is no user is left out', async () => {
    const snap = await open().read(needs({ attributes: ['uid'], groups: [GROUPS.staff, slapd.groupDn[GROUPS.leads]] }), {});
    const uid = new Map(snap.users.map((u) => [u.id, String(u.attrs.uid)]));
    const members = (ref: string) => snap.groups.find((g) => g.ref === ref)!.memberIds.map((id) => uid.get(id)!).sort();
    assert.deepEqual(members(GROUPS.staff), [...slapd.members[GROUPS.staff]].sort());
    assert.deepEqual(members(slapd.groupDn[GROUPS.leads]), [...slapd.members[GROUPS.leads]].sort());
    assert.equal(snap.groups.find((g) => g.ref === GROUPS.staff)!.displayName, GROUPS.staff);
  });

  it('StartTLS on the plain port reads the same; plain LDAP to another machine is refused before connecting', async () => {
    const snap = await open({ url: slapd.ldapUrl, startTls: true }).read(needs(), {});
    assert.equal(snap.users.length, slapd.users.length);
    await readFails(open({ url: 'ldap://dc1.corp.example' }).read(needs(), {}), /plain LDAP: use ldaps:\/\/ or startTls: true/);
  });

  it('a certificate nobody trusts, a wrong password, an unknown group: each stops the read, saying which', async () => {
    await readFails(open({}, []).read(needs(), {}), /could not connect and bind.*(self[- ]signed|certificate)/i, slapd.password);
    await readFails(open({ bindPassword: 'wrong' }).read(needs(), {}), /refused the bind as cn=reader,dc=example,dc=org \(invalid credentials\)/, slapd.password);
    await readFails(open().read(needs({ groups: ['No Such Group'] }), {}), /no group is named "No Such Group"/);
  });

  it('Test Connections binds and names the server kind', async () => {
    const ok = await open().checkAccess(needs(), {});
    assert.equal(ok.ok, true, ok.detail);
    assert.match(ok.detail, /bound as cn=reader,dc=example,dc=org \(openldap\)/);
    const bad = await open({ bindPassword: 'wrong' }).checkAccess(needs(), {});
    assert.equal(bad.ok, false);
  });
});
