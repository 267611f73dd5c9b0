// The bridge's SCIM filter (RFC 7644 §3.4.2.2): parsed by its own grammar, matched against
// resources as the bridge answers them. What IdPs send (scim.md §1: Entra's eq/and and its
// emails[type eq "work"].value, Okta's userName eq, the reference tests' co/sw/gt/or and unquoted
// values) and what the RFC asks (precedence, case rules, chronological dates), and the errors.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScimError } from '../../src/scim/protocol/errors';
import { describeFilter, Filter, indexedEquality, matches, parseFilter } from '../../src/scim/protocol/filter';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

const user = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
  id: 'a1b2c3d4-0000-4000-8000-00000000abcd',
  externalId: 'Ext-42',
  userName: 'Amir.Khan@Contoso.com',
  name: { givenName: 'Amir', familyName: 'Khan' },
  displayName: 'Amir Khan',
  active: true,
  emails: [
    { type: 'home', value: 'x@home.example' },
    { type: 'work', value: 'y@contoso.com', primary: true },
  ],
  [ENTERPRISE]: { department: 'Sales', employeeNumber: '0042', manager: { value: 'boss-id' } },
  meta: { resourceType: 'User', created: '2024-03-01T12:00:00.000Z', lastModified: '2024-06-01T12:00:00.000Z' },
  ...over,
});

const hit = (filter: string, resource = user()) => matches(resource, parseFilter(filter));

/** The refusal a filter gets: a 400 invalidFilter (RFC 7644 §3.4.2.2, Table 9) and its detail. */
function refusal(filter: string): string {
  try {
    parseFilter(filter);
  } catch (e) {
    assert.ok(e instanceof ScimError, String(e));
    assert.equal(e.status, 400);
    assert.equal(e.scimType, 'invalidFilter');
    return e.message;
  }
  assert.fail(`"${filter}" was accepted`);
}

describe('SCIM filter: precedence (not, then and, then or)', () => {
  it('and binds tighter than or, on either side', () => {
    const f = parseFilter('a eq 1 or b eq 2 and c eq 3');
    assert.equal(f.kind, 'or');
    assert.equal((f as { right: Filter }).right.kind, 'and');
    const g = parseFilter('a eq 1 and b eq 2 or c eq 3');
    assert.equal(g.kind, 'or');
    assert.equal((g as { left: Filter }).left.kind, 'and');
    // a or (b and c): true with a alone; (a or b) and c would be false.
    assert.equal(matches({ a: 1, b: 0, c: 0 }, f), true);
    assert.equal(matches({ a: 0, b: 2, c: 0 }, f), false);
    assert.equal(matches({ a: 0, b: 0, c: 3 }, g), true);
  });

  it('not applies to its parenthesised filter only, and parentheses regroup', () => {
    const f = parseFilter('not (a eq 1) and b eq 2');
    assert.equal(f.kind, 'and');
    assert.equal((f as { left: Filter }).left.kind, 'not');
    assert.equal(matches({ a: 0, b: 2 }, f), true);
    assert.equal(matches({ a: 1, b: 2 }, f), false);
    assert.equal(matches({ a: 0, b: 0 }, f), false);
    const grouped = parseFilter('(a eq 1 or b eq 2) and c eq 3');
    assert.equal(matches({ a: 1, b: 0, c: 0 }, grouped), false);
    assert.equal(matches({ a: 1, b: 0, c: 3 }, grouped), true);
    // and/or chains are left-associative and all legs count.
    assert.equal(hit('userName sw "amir" and active eq true and displayName eq "nobody"'), false);
    assert.equal(hit('displayName eq "x" or displayName eq "y" or displayName eq "Amir Khan"'), true);
  });

  it('the reference tests\' eq and (co or co) with unquoted values', () => {
    const f = 'name.FamilyName eq Khan and (emails.Value co contoso.com or emails.Value co example.org)';
    assert.equal(hit(f), true);
    assert.equal(hit(f, user({ emails: [{ type: 'work', value: 'y@fabrikam.com' }] })), false);
    assert.equal(hit(f, user({ name: { familyName: 'Other' } })), false);
  });
});

describe('SCIM filter: valuePath', () => {
  it('emails[type eq "work"].value eq "x" looks at the work email only, never at another one', () => {
    // A home email x and a work email y: the filter must not be satisfied by x on the home email.
    const u = user({ emails: [{ type: 'home', value: 'x' }, { type: 'work', value: 'y' }] });
    assert.equal(hit('emails[type eq "work"].value eq "x"', u), false);
    assert.equal(hit('emails[type eq "work"].value eq "y"', u), true);
    assert.equal(hit('emails[type eq "home"].value eq "x"', u), true);
    assert.equal(hit('emails[type eq "work" and value eq "x"]', u), false);
    assert.equal(hit('emails[type eq "work" and value eq "y"]', u), true);
    // The flattened reading, for contrast: some email is work and some email is x.
    assert.equal(hit('emails.type eq "work" and emails.value eq "x"', u), true);
  });

  it('the sub-attribute test after the brackets takes every operator, pr and ne included', () => {
    const u = user();
    assert.equal(hit('emails[type eq "work"].value ew "@contoso.com"', u), true);
    assert.equal(hit('emails[type eq "work"].value pr', u), true);
    assert.equal(hit('emails[type eq "other"].value pr', u), false);
    assert.equal(hit('emails[type eq "work"].value ne "y@contoso.com"', u), false);
    assert.equal(hit('emails[type eq "work"].value ne "z@contoso.com"', u), true);
    assert.equal(hit('emails[primary eq true]', u), true);
    assert.equal(hit('emails[type eq "work"]', user({ emails: [] })), false);
    assert.equal(hit('emails[type eq "work"]', user({ emails: undefined })), false);
  });
});

describe('SCIM filter: case', () => {
  it('attribute names and operators are case-insensitive', () => {
    assert.equal(hit('USERNAME EQ "amir.khan@contoso.com"'), true);
    assert.equal(hit('userName Eq "amir.khan@contoso.com" AND Active eQ TRUE'), true);
    assert.equal(hit('NOT (username eq "amir.khan@contoso.com") Or DISPLAYNAME sw "amir"'), true);
    assert.equal(hit('Emails[Type EQ "work"].VALUE eq "y@contoso.com"'), true);
    assert.equal(hit('name.GIVENNAME pr'), true);
    assert.equal(hit(`${ENTERPRISE.toUpperCase()}:Department eq "sales"`), true);
    assert.equal(hit('META.CREATED pr'), true);
  });

  it('string values compare case-insensitively unless the attribute is caseExact (id, externalId)', () => {
    assert.equal(hit('userName eq "AMIR.KHAN@CONTOSO.COM"'), true, 'userName: caseExact false (RFC 7643 §4.1.1)');
    assert.equal(hit('displayName co "KHAN"'), true);
    assert.equal(hit('emails[type eq "WORK"].value eq "Y@CONTOSO.COM"'), true);
    assert.equal(hit('externalId eq "Ext-42"'), true);
    assert.equal(hit('externalId eq "ext-42"'), false, 'externalId: caseExact (RFC 7643 §3.1)');
    assert.equal(hit('externalId ne "ext-42"'), true);
    assert.equal(hit('id eq "a1b2c3d4-0000-4000-8000-00000000abcd"'), true);
    assert.equal(hit('id eq "A1B2C3D4-0000-4000-8000-00000000ABCD"'), false, 'id: caseExact (RFC 7643 §3.1)');
    assert.equal(hit('id sw "A1B2"'), false);
  });
});

describe('SCIM filter: values and operators', () => {
  it('unquoted words, numbers, booleans and null', () => {
    assert.equal(hit('userName sw Amir'), true);
    assert.equal(hit('displayName eq Amir'), false, 'one word, not a prefix');
    assert.equal(hit('active eq true'), true);
    assert.equal(hit('active eq False'), false);
    assert.equal(hit('active eq "true"'), true, 'a quoted boolean, as Entra writes "True"');
    assert.equal(hit('active ne false'), true);
    assert.equal(hit('title eq null'), true);
    assert.equal(hit('title ne null'), false);
    assert.equal(hit('displayName ne null'), true);
    assert.equal(hit('displayName eq null'), false);
    assert.equal(matches({ n: 5 }, parseFilter('n gt 4')), true);
    assert.equal(matches({ n: 5 }, parseFilter('n le 4.5')), false);
    assert.equal(matches({ n: 5 }, parseFilter('n eq 5e0')), true);
  });

  it('co sw ew pr ne, and a missing attribute is "not equal" but never equal, greater or present', () => {
    assert.equal(hit('userName co "khan@"'), true);
    assert.equal(hit('userName ew ".com"'), true);
    assert.equal(hit('userName sw "khan"'), false);
    assert.equal(hit('title pr'), false);
    assert.equal(hit('title ne "Engineer"'), true);
    assert.equal(hit('title eq "Engineer"'), false);
    assert.equal(hit('title gt "A"'), false);
    assert.equal(hit('displayName pr', user({ displayName: '' })), false);
    assert.equal(hit('emails pr', user({ emails: [] })), false);
  });

  it('strings compare lexicographically; meta dateTimes chronologically, whatever their offsets', () => {
    assert.equal(hit('displayName gt "Amir A"'), true);
    assert.equal(hit('displayName lt "amir a"'), false);
    assert.equal(hit('meta.created gt 2015-10-10T14:38:21.8617979-07:00'), true);
    assert.equal(hit('meta.lastModified ge "2024-06-01T12:00:00Z"'), true);
    assert.equal(hit('meta.lastModified gt "2024-06-01T12:00:00Z"'), false);
    // 13:30 at +02:00 is 11:30Z: earlier than the 12:00Z creation, though later as text.
    assert.equal(hit('meta.created gt "2024-03-01T13:30:00+02:00"'), true);
    assert.equal(hit('meta.created lt "2024-03-01T13:30:00+02:00"'), false);
    assert.equal(hit('meta.created eq "2024-03-01T14:00:00+02:00"'), true, 'the same instant');
    assert.equal(hit('meta.created sw "2024-03"'), true, 'sw stays a text test');
  });

  it('enterprise extension attributes by their URN, sub-attributes included', () => {
    assert.equal(hit(`${ENTERPRISE}:department eq "Sales"`), true);
    assert.equal(hit(`${ENTERPRISE}:manager.value eq "boss-id"`), true);
    assert.equal(hit(`${ENTERPRISE}:employeeNumber eq "42"`), false);
    assert.equal(hit('urn:ietf:params:scim:schemas:core:2.0:User:userName sw "amir"'), true);
  });
});

describe('SCIM filter: what the store can answer from an index', () => {
  it('an equality on an indexed attribute, alone or as one leg of a top-level and', () => {
    const idx = ['userName', 'externalId', 'id'];
    assert.deepEqual(indexedEquality(parseFilter('USERNAME eq "a@b.c"'), idx), { attr: 'userName', value: 'a@b.c' });
    assert.deepEqual(indexedEquality(parseFilter('active eq true and externalId eq "E"'), idx), { attr: 'externalId', value: 'E' });
    assert.equal(indexedEquality(parseFilter('userName eq "a" or externalId eq "E"'), idx), undefined);
    assert.equal(indexedEquality(parseFilter('not (userName eq "a")'), idx), undefined);
    assert.equal(indexedEquality(parseFilter('userName co "a"'), idx), undefined);
    assert.equal(indexedEquality(parseFilter('emails[type eq "work"].value eq "a"'), idx), undefined);
  });

  it('the audit description names attributes and operators, never values', () => {
    const d = describeFilter(parseFilter('userName eq "secret@contoso.com" and emails[type eq "work"].value eq "hidden@contoso.com"'));
    assert.equal(d, 'userName eq … and emails[type eq …].value eq …');
  });
});

describe('SCIM filter: refusals', () => {
  it('each syntax error is a 400 invalidFilter that says where', () => {
    assert.match(refusal('userName xx "a"'), /"xx" at character 10 is no operator/);
    assert.match(refusal('userName eq "a" )'), /unexpected "\)" at character 17/);
    assert.match(refusal('userName eq "abc'), /the string starting at character 13 is not closed/);
    assert.match(refusal('userName eq "a\\q"'), /the string at character 13 has a bad escape/);
    assert.match(refusal('not userName eq "a"'), /expected "\(" at character 5/);
    assert.match(refusal('userName eq ]'), /expected a value at character 13/);
    assert.match(refusal('userName eq "a" userName'), /unexpected "userName" at character 17/);
    assert.match(refusal('[type eq "work"]'), /expected an attribute at character 1/);
    assert.match(refusal('(userName eq "a"'), /expected "\)" at the end/);
    assert.match(refusal('emails[type eq "work"'), /expected "]" at the end/);
    assert.match(refusal('userName eq'), /a value is missing at the end/);
    assert.match(refusal('userName eq "a" and'), /expected an attribute at the end/);
    assert.match(refusal('userName'), /an operator is missing at the end/);
    assert.match(refusal('name.givenName.x eq "a"'), /"name.givenName.x" is no attribute path/);
    assert.match(refusal('emails.value[type eq "x"]'), /a value filter follows the attribute itself/);
  });

  it('a 5000-character filter is refused before it is parsed, and so is deep nesting', () => {
    const long = `userName eq "${'a'.repeat(5000 - 14)}"`;
    assert.equal(long.length, 5000);
    assert.match(refusal(long), /longer than 4096 characters/);
    assert.match(refusal(`${'('.repeat(40)}a eq 1${')'.repeat(40)}`), /nested too deeply/);
    // Just inside the limit is parsed.
    assert.equal(hit(`userName ne "${'a'.repeat(4000)}"`), true);
  });
});
