// Entra attributes are checked against Graph's own metadata at validation: a name Graph does not
// have (or cannot list) is a positioned error with a did-you-mean, never a 400 at plan time.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { attributeProblem, attributesOf } from '../../src/core/attributes';
import { directoryNamed } from '../../src/core/directories';
import { parseMapping } from '../../src/core/parse';
import { directoryNeeds } from '../../src/core/needs';
import { userSelect } from '../../src/sources/entra/users';
import { only, problems, withBody } from './mapping-text';

const ROOT = path.resolve(__dirname, '../../..');
const ENTRA = directoryNamed('entra')!;
const ENTRA_USER_ATTRIBUTES = attributesOf(ENTRA);
const entraAttributeProblem = (source: string) => attributeProblem(ENTRA, source);
const RULE = ['users:', '  - rule: staff', '    from: { group: Staff }', '    client: Contoso'];
const fields = (line: string) => withBody(...RULE, '    site: Head Office', 'fields:', '  users:', `    ${line}`);

describe('Entra attributes against Graph metadata', () => {
  it('a relationship named as an attribute (manager) is an error at its value, line 18', () => {
    const d = only(fields('manager_email: manager'));
    assert.equal(d.code, 'unknown-attribute');
    assert.equal(d.range.start.line, 17);
    assert.equal(d.range.start.character, 'manager_email: '.length + 4);
    assert.match(d.message, /manager is a relationship in Graph, not an attribute: write manager.mail/);
    assert.deepEqual(d.suggestions, ['manager.mail']);
  });

  it('a misspelt or miscased attribute suggests Graph\'s name', () => {
    assert.deepEqual(only(fields('title: jobtitle')).suggestions, ['jobTitle']);
    assert.match(only(fields('title: jobtitle')).message, /Graph writes "jobtitle" as "jobTitle"/);
    assert.deepEqual(only(fields('title: jobTitel')).suggestions, ['jobTitle']);
    assert.match(only(fields('title: jobTitel')).message, /Entra users have no attribute "jobTitel".*did you mean "jobTitle"/);
  });

  it('where keys and siteFrom are checked too, each at its own position', () => {
    const where = only(withBody(...RULE.slice(0, 2), '    from: { where: { Department: Sales } }', '    client: Contoso', '    site: Head Office'));
    assert.deepEqual([where.code, where.range.start.line, where.suggestions], ['unknown-attribute', 12, ['department']]);
    const site = only(withBody(...RULE, '    siteFrom: officeLocaton'));
    assert.deepEqual([site.code, site.range.start.line, site.suggestions], ['unknown-attribute', 14, ['officeLocation']]);
  });

  it('nested properties Graph has are allowed, and read by their parent in $select', () => {
    const text = withBody(
      ...RULE,
      '    site: Head Office',
      '    from: { group: Staff, where: { employeeOrgData.division: Retail } }',
      'fields:',
      '  users:',
      '    CFExt1: onPremisesExtensionAttributes.extensionAttribute1',
      '    CFLastSignIn: signInActivity.lastSignInDateTime',
      '    CFCost: extension_b7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2_costCentre',
      '    phone: businessPhones[0]',
    ).replace('    from: { group: Staff }\n', '');
    const parsed = parseMapping(text);
    assert.deepEqual(parsed.diagnostics.filter((d) => d.severity === 'error'), []);
    const select = userSelect(directoryNeeds(parsed.mapping!)[0]);
    for (const p of ['employeeOrgData', 'onPremisesExtensionAttributes', 'signInActivity', 'extension_b7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2_costCentre', 'businessPhones']) assert.ok(select.includes(p), `${p} in ${select}`);
    assert.ok(!select.some((p) => p.includes('.')), 'Graph selects top-level properties only');
  });

  it('what Graph has but a list read cannot use is refused with the reason', () => {
    const reason = (source: string) => entraAttributeProblem(source)?.message;
    assert.match(reason('aboutMe')!, /only when one user is read/);
    assert.match(reason('assignedLicenses')!, /a list of objects/);
    assert.match(reason('onPremisesExtensionAttributes')!, /an object in Graph: name one of its values, such as onPremisesExtensionAttributes\.extensionAttribute1/);
    assert.match(reason('onPremisesExtensionAttributes.extensionAttribute16')!, /has no "extensionAttribute16".*extensionAttribute1/);
    assert.match(reason('department[0]')!, /single value/);
    assert.match(reason('department.name')!, /single value in Graph, with no \.name/);
    assert.equal(reason('creationType'), undefined);
    assert.equal(reason('userType'), undefined);
  });

  it('every attribute the editor offers passes the schema and the check; the attribute list is Graph\'s, not a hand list', () => {
    assert.ok(ENTRA_USER_ATTRIBUTES.length >= 80, `${ENTRA_USER_ATTRIBUTES.length}`);
    for (const a of ENTRA_USER_ATTRIBUTES) {
      const source = a.list ? `${a.name}[0]` : a.name;
      assert.equal(entraAttributeProblem(source), undefined, source);
      assert.deepEqual(problems(fields(`CFX: ${source}`)), [], source);
    }
    const names = ENTRA_USER_ATTRIBUTES.map((a) => a.name);
    for (const n of ['employeeOrgData.division', 'signInActivity.lastSignInDateTime', 'onPremisesExtensionAttributes.extensionAttribute15', 'creationType', 'employeeLeaveDateTime']) assert.ok(names.includes(n), n);
    const generated = JSON.parse(fs.readFileSync(path.join(ROOT, 'src/sources/entra/attributes.json'), 'utf8'));
    assert.match(generated.description, /msgraph-metadata/);
  });

  it('the normative example still validates unchanged', () => {
    const text = fs.readFileSync(path.join(ROOT, 'examples/halo-identity.yaml'), 'utf8');
    assert.deepEqual(parseMapping(text).diagnostics.filter((d) => d.severity === 'error'), []);
  });
});
