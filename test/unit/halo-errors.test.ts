import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HaloApiError, haloErrorMessage } from '../../src/halo/errors';
import { retryAfterMs } from '../../src/halo/transport';
import { licenceFromWire, licenceToWire, unwrapList, WIRE_ASSUMPTIONS } from '../../src/halo/wire';

describe('haloErrorMessage', () => {
  const cases: Array<[string, string, string]> = [
    ['{resultCode, errorMessage}', '{"resultCode":1,"errorMessage":"Invalid advanced search parameter"}', 'Invalid advanced search parameter'],
    ['{ClassName, Message}', '{"ClassName":"HaloValidationException","Message":"CODE:APP03/2 Please select the CAB members to approve"}', 'CODE:APP03/2 Please select the CAB members to approve'],
    ['{Message}', '{"Message":"An Outcome must be entered for this Action"}', 'An Outcome must be entered for this Action'],
    ['{error} (OAuth)', '{"error":"invalid_client"}', 'invalid_client'],
    ['{error, error_description}', '{"error":"invalid_request","error_description":"tenant missing"}', 'invalid_request: tenant missing'],
    ['ModelState dictionary', '{"[0].site_id":["The site is required."],"[1].name":["Too long.","Bad."]}', '[0].site_id: The site is required.; [1].name: Too long. Bad.'],
    ['{Message, ModelState}', '{"Message":"The request is invalid.","ModelState":{"[0].id":["Not a number."]}}', 'The request is invalid. [0].id: Not a number.'],
    ['problem details', '{"title":"One or more validation errors occurred.","errors":{"[0].email":["Bad email."]}}', 'One or more validation errors occurred. [0].email: Bad email.'],
    ['raw text', 'Rate Limit Reached - 300 Requests per rolling 5 minute window', 'Rate Limit Reached - 300 Requests per rolling 5 minute window'],
    ['JSON string', '"Something broke"', 'Something broke'],
    ['HTML page', '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head></html>', 'HTML page "502 Bad Gateway"'],
    ['empty', '   ', ''],
  ];
  for (const [shape, body, expected] of cases) {
    it(`reads ${shape}`, () => assert.equal(haloErrorMessage(body), expected));
  }

  it('shortens long raw text', () => {
    const msg = haloErrorMessage('x'.repeat(2000));
    assert.ok(msg.length < 510 && msg.endsWith('…'));
  });

  it('names endpoint and status in API errors', () => {
    const e = new HaloApiError('GET /api/Roles', 403, 'Forbidden');
    assert.match(e.message, /GET \/api\/Roles answered 403: Forbidden/);
    assert.match(e.message, /permission/);
  });
});

describe('Retry-After', () => {
  it('reads fractional seconds and HTTP dates', () => {
    assert.equal(retryAfterMs('0.25'), 250);
    assert.equal(retryAfterMs('2'), 2000);
    assert.equal(retryAfterMs(new Date(10_000).toUTCString(), 7_000), 3000);
    assert.equal(retryAfterMs(undefined), undefined);
    assert.equal(retryAfterMs('soon'), undefined);
  });
});

describe('wire choices', () => {
  it('maps licences both ways, keeping unknown values visible', () => {
    assert.equal(licenceToWire('named'), 0);
    assert.equal(licenceToWire('concurrent'), 1);
    assert.equal(licenceToWire('unchanged'), undefined);
    assert.equal(licenceFromWire(0), 'named');
    assert.equal(licenceFromWire(1), 'concurrent');
    assert.equal(licenceFromWire(4), '4');
    assert.equal(licenceFromWire(undefined), undefined);
  });

  it('accepts bare and wrapped lists', () => {
    assert.deepEqual(unwrapList([{ id: 1 }], 'roles'), [{ id: 1 }]);
    assert.deepEqual(unwrapList({ record_count: 1, Roles: [{ id: 1 }] }, 'roles'), [{ id: 1 }]);
    assert.deepEqual(unwrapList({ record_count: 1, items: [{ id: 2 }] }, 'teams'), [{ id: 2 }]);
    assert.equal(unwrapList({ a: [], b: [] }, 'teams'), undefined);
    assert.equal(unwrapList('nope', 'teams'), undefined);
  });

  it('documents every assumption', () => {
    assert.ok(WIRE_ASSUMPTIONS.length >= 5);
    for (const a of WIRE_ASSUMPTIONS) assert.ok(a.topic && a.choice && a.evidence);
  });
});
