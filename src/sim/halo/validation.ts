// Request-body validation against Halo's own OpenAPI request schemas (openapi-subset.json, extracted
// by scripts/extract-halo-openapi.mjs). Every component schema has additionalProperties:false, so an
// unknown property is a 400, as the design requires.
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import subsetJson from './openapi-subset.json';

type Schema = { [key: string]: unknown };
interface Subset {
  endpoints: Record<string, string>;
  components: { schemas: Record<string, Schema> };
}

export type WriteEndpoint = '/Users' | '/Agent' | '/Site' | '/Client' | '/Team' | '/CAB';

const subset = prepare(subsetJson as unknown as Subset);
const schemas = subset.components.schemas;
let ajv: Ajv | undefined;
const validators = new Map<string, ValidateFunction>();

/** The component schema name of an endpoint's array items (e.g. /Agent → Uname). */
export function schemaName(endpoint: WriteEndpoint): string {
  return subset.endpoints[endpoint];
}

/**
 * Property names bind case-insensitively [I: clients send `emailAddress`, `firstName`], so rename
 * keys to the schema's spelling first (exact match wins), recursively through arrays and $refs.
 */
export function canonicalKeys(value: unknown, schema: Schema | undefined): unknown {
  const s = resolve(schema);
  if (!s) return value;
  if (Array.isArray(value)) {
    const items = s.items as Schema | undefined;
    return value.map((v) => canonicalKeys(v, items));
  }
  if (!value || typeof value !== 'object') return value;
  const props = (s.properties ?? {}) as Record<string, Schema>;
  const lower = new Map<string, string>();
  for (const name of Object.keys(props)) lower.set(name.toLowerCase(), lower.has(name.toLowerCase()) ? '' : name);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const name = key in props ? key : lower.get(key.toLowerCase()) || key;
    out[name] = canonicalKeys(v, props[name]);
  }
  return out;
}

export function componentSchema(name: string): Schema {
  return { $ref: `#/components/schemas/${name}` };
}

/** Validate one array element; returns ModelState-style entries keyed by `[index].path`. */
export function validateElement(endpoint: WriteEndpoint, index: number, element: unknown): Record<string, string[]> {
  const validate = validatorFor(endpoint);
  if (validate(element)) return {};
  const out: Record<string, string[]> = {};
  for (const e of validate.errors ?? []) {
    const [key, message] = describe(endpoint, index, e);
    (out[key] ??= []).push(message);
  }
  return out;
}

function validatorFor(endpoint: WriteEndpoint): ValidateFunction {
  let v = validators.get(endpoint);
  if (!v) {
    // Compiled lazily, per endpoint: the Users schema alone references 112 components.
    ajv ??= createAjv();
    v = ajv.compile({ $ref: `halo-openapi#/components/schemas/${schemaName(endpoint)}` });
    validators.set(endpoint, v);
  }
  return v;
}

function createAjv(): Ajv {
  const a = new Ajv({
    allErrors: true,
    verbose: true,
    strict: false,
    inlineRefs: false,
    code: { optimize: false },
    formats: {
      int32: true,
      int64: true,
      double: true,
      byte: true,
      binary: true,
      'date-span': true,
      // .NET binds dates without a zone, so any ISO-like date is accepted.
      'date-time': /^\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?)?$/,
      uuid: /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i,
    },
  });
  a.addSchema({ $id: 'halo-openapi', components: subset.components });
  return a;
}

function describe(endpoint: WriteEndpoint, index: number, e: ErrorObject): [string, string] {
  const path = `[${index}]` + e.instancePath.split('/').slice(1).map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`)).join('');
  if (e.keyword === 'additionalProperties') {
    const member = String((e.params as { additionalProperty: string }).additionalProperty);
    const type = e.instancePath === '' ? ` on object of type '${schemaName(endpoint)}'` : '';
    return [`${path}.${member}`, `Could not find member '${member}'${type}.`];
  }
  if (e.keyword === 'type') return [path, `Error converting value ${JSON.stringify(e.data)} to type '${netType(e.params)}'.`];
  return [path, `The value is not valid: ${e.message ?? e.keyword}.`];
}

function netType(params: Record<string, unknown>): string {
  const t = String(params.type).split(',')[0];
  return { integer: 'System.Int32', number: 'System.Double', boolean: 'System.Boolean', string: 'System.String' }[t] ?? t;
}

function resolve(schema: Schema | undefined): Schema | undefined {
  let s = schema;
  for (let i = 0; s && typeof s.$ref === 'string' && i < 10; i++) s = schemas[(s.$ref as string).split('/').pop() ?? ''];
  return s;
}

/** OpenAPI 3.0 allows `nullable` without `type` (CustomField.value); Ajv does not, and it means "anything". */
function prepare(doc: Subset): Subset {
  const fix = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(fix);
    if (!node || typeof node !== 'object') return;
    const o = node as Schema;
    if ('nullable' in o && !('type' in o)) delete o.nullable;
    Object.values(o).forEach(fix);
  };
  fix(doc.components.schemas);
  return doc;
}
