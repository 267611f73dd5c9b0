// Parse and validate a mapping file, keeping every value's source position so that each problem
// (YAML syntax, schema, semantics) points at the line and column an administrator must edit.
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import { Document, LineCounter, Node, Pair, YAMLMap, isAlias, isMap, isScalar, isSeq, parseDocument, visit } from 'yaml';
import schema from '../../schemas/halo-identity.schema.json';
import { attributeDiagnostics } from './attribute-checks';
import { Diagnostic, Locator, Path, Range, START, Severity, compareDiagnostics, formatPath, labelOf, where } from './diagnostic';
import { directoryWithArticle } from './directories';
import { Mapping } from './mapping';
import { REFERENCE_PATTERN } from './secrets';
import { checkSemantics } from './semantic';
import { didYouMean, suggest } from './suggest';

export { Diagnostic, Locator, Path, Position, Range, Severity, formatDiagnostic, formatPath } from './diagnostic';

export interface ParsedMapping extends Locator {
  /** The mapping, or null when the file has any error (warnings still give a mapping). */
  mapping: Mapping | null;
  /**
   * The mapping as soon as it matches the schema, even when semantic checks found errors, so
   * that editor features and live-name checks keep working while one rule is being fixed.
   */
  typed: Mapping | null;
  diagnostics: Diagnostic[];
  document: Document.Parsed;
}

/** Alias expansions allowed while reading the file: ample for reuse, far too few for an alias bomb. */
export const MAX_ALIAS_COUNT = 100;
/** The deepest a mapping file needs is about 6 levels (fields → users → field → from → list); far deeper is a hazard. */
export const MAX_DEPTH = 24;

const ajv = new Ajv({ allErrors: true, verbose: true, allowUnionTypes: true });
// Editor keywords: annotations for ajv, read by our messages and by YAML/JSON language servers.
ajv.addVocabulary([
  'errorMessage',
  'patternErrorMessage',
  'markdownDescription',
  'enumDescriptions',
  'markdownEnumDescriptions',
  'deprecationMessage',
  'defaultSnippets',
  // Generated parts (scripts/build-language.mjs): a directory list and its connection, and
  // attribute names checked by the schema for editors that know only the schema.
  'x-directory',
  'x-attribute',
]);
const SCHEMA_ID: string = schema.$id;
const validateMapping: ValidateFunction = ajv.compile(schema);

/** Where each schema object sits in the schema, to compile one branch of a union on demand. */
const schemaPointers = new WeakMap<object, string>();
(function index(node: unknown, pointer: string): void {
  if (node === null || typeof node !== 'object') return;
  if (!Array.isArray(node)) schemaPointers.set(node, pointer);
  for (const [k, v] of Object.entries(node)) index(v, `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`);
})(schema, '');

const branchValidators = new Map<string, ValidateFunction>();
function branchValidator(pointer: string): ValidateFunction {
  let v = branchValidators.get(pointer);
  if (!v) {
    v = ajv.compile({ $ref: `${SCHEMA_ID}#${pointer}` });
    branchValidators.set(pointer, v);
  }
  return v;
}

export function parseMapping(raw: string): ParsedMapping {
  // A byte-order mark is not part of the text an editor shows: columns count without it.
  const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, merge: true, uniqueKeys: true });
  const source = new SourceMap(document, lineCounter);
  const result: ParsedMapping = {
    mapping: null,
    typed: null,
    diagnostics: [],
    document,
    rangeOf: (path) => source.rangeOf(path),
    keyRangeOf: (path) => source.keyRangeOf(path),
    headRangeOf: (path) => source.headRangeOf(path),
  };
  const diagnostics: Diagnostic[] = [];
  const finish = (): ParsedMapping => {
    result.diagnostics = dedupe(diagnostics).sort(compareDiagnostics);
    if (!result.diagnostics.some((d) => d.severity === 'error')) result.mapping = result.typed;
    return result;
  };

  for (const err of document.errors) diagnostics.push(yamlProblem('error', err, source));
  for (const warn of document.warnings) diagnostics.push(yamlProblem('warning', warn, source));
  if (document.errors.length) return finish();

  const contents = document.contents;
  if (contents === null || (isScalar(contents) && contents.value === null)) {
    diagnostics.push({
      severity: 'error',
      code: 'empty-file',
      message: 'the file is empty: a mapping file starts with "version: 1" followed by halo: and entra:',
      range: START,
      path: [],
    });
    return finish();
  }
  if (!isMap(contents)) {
    const found = isSeq(contents) ? 'a list' : isAlias(contents) ? 'an alias' : 'a single value';
    diagnostics.push({
      severity: 'error',
      code: 'not-a-mapping',
      message: `the file must be a mapping of keys (version, halo, entra, ...), not ${found}`,
      range: START,
      path: [],
    });
    return finish();
  }

  const deep = tooDeep(contents);
  if (deep) {
    // Refused before anything walks the tree recursively (the schema validator, toJS).
    diagnostics.push({ severity: 'error', code: 'too-deep', message: `the file nests more than ${MAX_DEPTH} levels deep here; a mapping file needs about 6`, range: source.nodeRange(deep) ?? START, path: [] });
    return finish();
  }

  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    diagnostics.push(aliasProblem(e, source));
    return finish();
  }

  // Whether or not the rest matches the schema, every attribute name is checked against its directory.
  diagnostics.push(...attributeDiagnostics(data, source));

  if (!validateMapping(data)) {
    const errors = refineRequired(collapseUnions(validateMapping.errors ?? [], ''));
    // A value of the wrong type also fails its enum or pattern; the type is the one to report.
    const wrongType = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
    for (const err of errors) {
      if (wrongType.has(err.instancePath) && VALUE_KEYWORDS.has(err.keyword)) continue;
      const d = schemaProblem(err, data, source);
      if (d) diagnostics.push(d);
    }
    return finish();
  }

  result.typed = data as Mapping;
  diagnostics.push(...checkSemantics(result.typed, result));
  return finish();
}

// ---------------------------------------------------------------------------------------------
// Source positions

class SourceMap implements Locator {
  constructor(
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  toRange(start: number, end: number): Range {
    const s = this.lines.linePos(start);
    const e = this.lines.linePos(Math.max(start, end));
    return { start: { line: s.line - 1, character: s.col - 1 }, end: { line: e.line - 1, character: e.col - 1 } };
  }

  nodeRange(node: Node | null | undefined): Range | undefined {
    if (!node?.range) return undefined;
    const [start, valueEnd] = node.range;
    if (valueEnd <= start) return undefined;
    return this.toRange(start, valueEnd);
  }

  /** The pair key (null for list items) and the node at `path`, aliases followed on the way. */
  locate(path: Path): { key: Node | null; node: Node | null } | undefined {
    let node: unknown = this.doc.contents;
    let key: Node | null = null;
    for (const seg of path) {
      const cur = this.deref(node);
      if (isMap(cur)) {
        const pair = this.findPair(cur, String(seg), 0);
        if (!pair) return undefined;
        key = pair.key as Node;
        node = pair.value;
      } else if (isSeq(cur) && typeof seg === 'number' && seg < cur.items.length) {
        key = null;
        node = cur.items[seg];
      } else return undefined;
    }
    return { key, node: (node as Node | null) ?? null };
  }

  rangeOf(path: Path): Range | undefined {
    const found = this.locate(path);
    if (!found) return undefined;
    return this.nodeRange(found.node) ?? this.nodeRange(found.key);
  }

  keyRangeOf(path: Path): Range | undefined {
    const found = this.locate(path);
    return found ? this.nodeRange(found.key) : undefined;
  }

  headRangeOf(path: Path): Range | undefined {
    const found = this.locate(path);
    if (!found) return undefined;
    const node = this.deref(found.node);
    if (found.key && (isMap(node) || isSeq(node) || !this.nodeRange(found.node))) return this.nodeRange(found.key);
    return this.head(node) ?? this.nodeRange(found.node) ?? this.nodeRange(found.key);
  }

  /** An item's first line: `rule: service-desk` for a rule, the first key otherwise. */
  private head(node: unknown): Range | undefined {
    if (isMap(node) && node.items.length) {
      const first = node.items[0];
      const key = this.nodeRange(first.key as Node);
      const value = isScalar(first.value) ? this.nodeRange(first.value) : undefined;
      if (key && value && value.start.line === key.start.line) return { start: key.start, end: value.end };
      return key;
    }
    if (isSeq(node) && node.items.length) return this.head(this.deref(node.items[0])) ?? this.nodeRange(node.items[0] as Node);
    return isScalar(node) ? this.nodeRange(node) : undefined;
  }

  deref(node: unknown): unknown {
    for (let i = 0; i < 10 && isAlias(node); i++) node = node.resolve(this.doc);
    return node;
  }

  private findPair(map: YAMLMap, name: string, depth: number): Pair | undefined {
    for (const pair of map.items) {
      if (!isMergeKey(pair.key) && this.keyName(pair.key) === name) return pair as Pair;
    }
    // Keys merged in with `<<: *anchor` are found at their anchor's definition.
    if (depth > 10) return undefined;
    for (const pair of map.items) {
      if (!isMergeKey(pair.key)) continue;
      const value = this.deref(pair.value);
      const sources = isSeq(value) ? value.items.map((i) => this.deref(i)) : [value];
      for (const src of sources) {
        const found = isMap(src) ? this.findPair(src, name, depth + 1) : undefined;
        if (found) return found;
      }
    }
    return undefined;
  }

  private keyName(key: unknown): string | undefined {
    const k = this.deref(key);
    return isScalar(k) ? String(k.value) : undefined;
  }

  /** The mapping key that starts at `offset` (where the parser reports a duplicate). */
  keyAt(offset: number): Node | undefined {
    let found: Node | undefined;
    visit(this.doc, {
      Pair: (_, pair) => {
        const key = pair.key as Node | null;
        if (key?.range && key.range[0] <= offset && offset < Math.max(key.range[1], key.range[0] + 1)) {
          found = key;
          return visit.BREAK;
        }
        return undefined;
      },
    });
    return found;
  }

  firstAlias(): Node | undefined {
    let found: Node | undefined;
    visit(this.doc, {
      Alias: (_, node) => {
        found = node;
        return visit.BREAK;
      },
    });
    return found;
  }

  unresolvedAlias(): { node: Node; source: string } | undefined {
    let found: { node: Node; source: string } | undefined;
    visit(this.doc, {
      Alias: (_, node) => {
        if (node.resolve(this.doc) === undefined) {
          found = { node, source: node.source };
          return visit.BREAK;
        }
        return undefined;
      },
    });
    return found;
  }
}

function isMergeKey(key: unknown): boolean {
  if (!isScalar(key)) return false;
  const v = key.value;
  return v === '<<' || (typeof v === 'symbol' && v.description === '<<');
}

// ---------------------------------------------------------------------------------------------
// YAML problems

interface YamlProblem {
  code: string;
  message: string;
  pos: [number, number];
}

function yamlProblem(severity: Severity, err: YamlProblem, source: SourceMap): Diagnostic {
  let range = source.toRange(err.pos[0], err.pos[1]);
  let message: string;
  let code = 'yaml-syntax';
  switch (err.code) {
    case 'DUPLICATE_KEY': {
      code = 'duplicate-key';
      const keyNode = source.keyAt(err.pos[0]);
      if (keyNode) range = source.nodeRange(keyNode) ?? range;
      const key = isScalar(keyNode) ? String(keyNode.value) : '';
      message = key
        ? `duplicate key "${key}": a key may appear only once in the same section`
        : 'duplicate key: a key may appear only once in the same section';
      break;
    }
    case 'MULTIPLE_DOCS':
      message = 'the file must hold a single YAML document: remove this "---" and what follows, or merge the two';
      break;
    case 'TAB_AS_INDENT':
      message = 'YAML does not allow tabs for indentation: indent with spaces';
      break;
    default:
      if (severity === 'warning') code = 'yaml-warning';
      message = `${severity === 'error' ? 'invalid YAML' : 'YAML'}: ${lowerFirst(err.message)}`;
  }
  return { severity, code, message, range, path: [] };
}

/** The first map or list nested deeper than MAX_DEPTH, found without recursion (aliases are not followed). */
function tooDeep(root: Node): Node | undefined {
  const stack: Array<[Node, number]> = [[root, 1]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (depth > MAX_DEPTH) return node;
    if (isMap(node)) {
      for (const pair of node.items) for (const child of [pair.key, pair.value]) if (isMap(child) || isSeq(child)) stack.push([child as Node, depth + 1]);
    } else if (isSeq(node)) {
      for (const child of node.items) if (isMap(child) || isSeq(child)) stack.push([child as Node, depth + 1]);
    }
  }
  return undefined;
}

function aliasProblem(e: unknown, source: SourceMap): Diagnostic {
  const message = e instanceof Error ? e.message : String(e);
  const unresolved = source.unresolvedAlias();
  if (unresolved && /unresolved alias/i.test(message)) {
    return {
      severity: 'error',
      code: 'unknown-alias',
      message: `unknown alias "*${unresolved.source}": define the anchor &${unresolved.source} before using it`,
      range: source.nodeRange(unresolved.node) ?? START,
      path: [],
    };
  }
  return {
    severity: 'error',
    code: 'alias-limit',
    message: `aliases expand to too much content (over ${MAX_ALIAS_COUNT} copies): reuse with anchors and aliases sparingly`,
    range: source.nodeRange(source.firstAlias()) ?? START,
    path: [],
  };
}

// ---------------------------------------------------------------------------------------------
// Schema problems

type SchemaNode = Record<string, unknown>;

const VALUE_KEYWORDS = new Set(['enum', 'const', 'pattern', 'minLength', 'maxLength', 'minimum', 'maximum']);

/** Errors as ajv reports them, or a union (anyOf/oneOf) already reduced to one message. */
interface Problem extends ErrorObject {
  /** Set on unions that could not be narrowed to one branch. */
  union?: 'none' | 'missing' | 'conflict';
  /** Required keys missing from one object, reported together. */
  missing?: string[];
}

/** Did-you-mean for an unknown key: the object's other keys that are not there yet. */
function unknownKeySuggestions(e: ErrorObject): string[] {
  const key = String((e.params as { additionalProperty?: unknown }).additionalProperty);
  const obj = (e.data ?? {}) as Record<string, unknown>;
  const known = Object.keys(((e.parentSchema as SchemaNode | undefined)?.properties as SchemaNode) ?? {}).filter((k) => !(k in obj));
  return suggest(key, known);
}

/**
 * One "missing required keys" per object; and none for a key that is there but misspelt, since
 * the unknown-key error already suggests it ("clinet" → "client").
 */
function refineRequired(errors: Problem[]): Problem[] {
  const misspelt = new Set<string>();
  for (const e of errors) {
    if (e.keyword === 'additionalProperties') {
      const best = unknownKeySuggestions(e)[0];
      if (best) misspelt.add(`${e.instancePath}\0${best}`);
    }
  }
  const out: Problem[] = [];
  const byObject = new Map<string, Problem>();
  for (const e of errors) {
    if (e.union === 'missing') {
      // "needs client or clientFrom" beside an unknown "clinet": the misspelling is the one problem.
      const alternatives = ((e.schema as SchemaNode[]) ?? []).flatMap((b) => (b.required as string[] | undefined) ?? []);
      if (!alternatives.some((k) => misspelt.has(`${e.instancePath}\0${k}`))) out.push(e);
      continue;
    }
    if (e.keyword !== 'required') {
      out.push(e);
      continue;
    }
    const key = String((e.params as { missingProperty?: unknown }).missingProperty);
    if (misspelt.has(`${e.instancePath}\0${key}`)) continue;
    const first = byObject.get(e.instancePath);
    if (first) first.missing!.push(key);
    else {
      const p: Problem = { ...e, missing: [key] };
      byObject.set(e.instancePath, p);
      out.push(p);
    }
  }
  return out;
}

/**
 * ajv reports every branch of a failed anyOf/oneOf. An administrator needs one message: the
 * branch whose type fits the value (its own errors), or a single "must be X or Y".
 */
function collapseUnions(errors: ErrorObject[], prefix: string): Problem[] {
  let out: Problem[] = errors.map((e) => ({ ...e, instancePath: prefix + e.instancePath }));
  for (let k = 0; k < out.length; k++) {
    const e = out[k];
    if ((e.keyword !== 'anyOf' && e.keyword !== 'oneOf') || e.union) continue;
    const branches = (e.schema as SchemaNode[]) ?? [];
    const under = (x: ErrorObject) => x.instancePath === e.instancePath || x.instancePath.startsWith(e.instancePath + '/');

    if (branches.every(isRequiredOnly)) {
      // Alternatives such as clientSecret | certificate: the branch errors are plain "required"s.
      const conflict = Array.isArray((e.params as { passingSchemas?: unknown }).passingSchemas);
      out = out.filter((x) => x === e || !(x.keyword === 'required' && branches.includes(x.parentSchema as SchemaNode)));
      out[out.indexOf(e)] = { ...e, union: conflict ? 'conflict' : 'missing' };
      k = -1;
      continue;
    }

    const data = e.data;
    const fitting = branches.map((b, i) => ({ b, i })).filter(({ b }) => typeFits(b, data));
    const replacement: Problem[] = [];
    const pointer = schemaPointers.get(e.parentSchema as object);
    if (fitting.length === 1 && pointer !== undefined) {
      const validate = branchValidator(`${pointer}/${e.keyword}/${fitting[0].i}`);
      if (!validate(data)) replacement.push(...collapseUnions(validate.errors ?? [], e.instancePath));
    }
    if (!replacement.length) replacement.push({ ...e, union: 'none' });
    out = [...out.slice(0, k).filter((x) => !under(x)), ...replacement, ...out.slice(k + 1).filter((x) => !under(x))];
    k = -1;
  }
  return out;
}

function isRequiredOnly(branch: SchemaNode): boolean {
  return Object.keys(branch).every((k) => k === 'required' || k === 'description');
}

function resolveRef(node: SchemaNode): SchemaNode {
  let cur = node;
  for (let i = 0; i < 10 && typeof cur.$ref === 'string'; i++) {
    const ref = cur.$ref as string;
    const hash = ref.indexOf('#');
    let target: unknown = schema;
    for (const part of ref.slice(hash + 1).split('/').slice(1)) {
      target = (target as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    }
    if (!target || typeof target !== 'object') break;
    cur = target as SchemaNode;
  }
  return cur;
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function schemaTypes(node: SchemaNode): Set<string> | undefined {
  const s = resolveRef(node);
  if (typeof s.type === 'string') return new Set([s.type]);
  if (Array.isArray(s.type)) return new Set(s.type as string[]);
  if (Array.isArray(s.enum)) return new Set((s.enum as unknown[]).map(jsonType));
  if ('const' in s) return new Set([jsonType(s.const)]);
  return undefined;
}

function typeFits(branch: SchemaNode, value: unknown): boolean {
  const types = schemaTypes(branch);
  if (!types) return true;
  const t = jsonType(value);
  return types.has(t) || (t === 'integer' && types.has('number'));
}

/** JSON pointer → path, with list indexes as numbers. */
function toPath(pointer: string, data: unknown): Path {
  if (!pointer) return [];
  const path: Path = [];
  let cur: unknown = data;
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) {
      const i = Number(seg);
      path.push(i);
      cur = cur[i];
    } else {
      path.push(seg);
      cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined;
    }
  }
  return path;
}

/** Schema-supplied text: "must …" gets the value's name in front; a full sentence stays as it is. */
function schemaText(label: string, text: string): string {
  const t = text.replace(/\.$/, '');
  return t.startsWith('must ') ? `${label} ${t}` : t;
}

const TYPE_NAMES: Record<string, string> = {
  string: 'text',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping of keys',
  null: 'empty',
};

function describeTypes(types: string[]): string {
  const names = types.map((t) => TYPE_NAMES[t] ?? t);
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}` : names[0];
}

function found(value: unknown): string {
  switch (jsonType(value)) {
    case 'null':
      return 'it is empty';
    case 'string':
      return `found text "${value}"`;
    case 'integer':
    case 'number':
      return 'found a number';
    case 'boolean':
      return `found ${value}`;
    case 'array':
      return 'found a list';
    default:
      return 'found a mapping of keys';
  }
}

function schemaProblem(e: Problem, data: unknown, source: SourceMap): Diagnostic | undefined {
  if (e.propertyName !== undefined && e.keyword !== 'propertyNames') return undefined;
  const path = toPath(e.instancePath, data);
  const label = labelOf(path);
  const parent = (e.parentSchema ?? {}) as SchemaNode;
  // Schema messages say "{a directory}" where the file's own directory belongs ("an Entra").
  const custom = typeof parent.errorMessage === 'string' ? parent.errorMessage.replace('{a directory}', directoryWithArticle(data as Mapping)) : undefined;
  const at = (r: Range | undefined) => r ?? source.headRangeOf(path) ?? START;
  const make = (code: string, message: string, range: Range | undefined, p: Path = path, suggestions?: string[]): Diagnostic => ({
    severity: 'error',
    code,
    message,
    range: at(range),
    path: p,
    ...(suggestions?.length ? { suggestions } : {}),
  });
  const params = e.params as Record<string, unknown>;

  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const suggestions = unknownKeySuggestions(e);
      const message = `unknown key "${key}"${where(path)}${didYouMean(suggestions)}`;
      return make('unknown-key', message, source.keyRangeOf([...path, key]), [...path, key], suggestions);
    }
    case 'required': {
      const keys = (e.missing ?? [String(params.missingProperty)]).map((k) => `"${k}"`);
      const list = keys.length > 1 ? `keys ${keys.slice(0, -1).join(', ')} and ${keys[keys.length - 1]}` : `key ${keys[0]}`;
      return make('missing-key', `missing required ${list}${where(path)}`, source.headRangeOf(path));
    }
    case 'propertyNames': {
      const key = String(params.propertyName);
      const names = resolveRef((parent.propertyNames as SchemaNode) ?? {});
      // Attribute names are checked against their directory's catalogue (attribute-checks.ts).
      if (isAttribute(names)) return undefined;
      const text = (names.patternErrorMessage as string | undefined) ?? 'must be a valid name';
      return make('invalid-key', schemaText(`key "${key}"${where(path)}`, text), source.keyRangeOf([...path, key]), [...path, key]);
    }
    case 'type': {
      if (custom) return make(codeFor(parent), schemaText(label, custom), source.rangeOf(path));
      const expected = String(params.type).split(',');
      let hint = found(e.data);
      if (expected.includes('string') && (typeof e.data === 'number' || typeof e.data === 'boolean')) hint += '; put it in quotes';
      if (path[path.length - 1] === 'from' && typeof e.data === 'string') hint += `; write from: { group: ${e.data} }`;
      if (expected.includes('boolean') && typeof e.data === 'string' && /^(yes|no|on|off|y|n|true|false)$/i.test(e.data)) {
        hint += '; write true or false without quotes';
      }
      return make('wrong-type', `${label} must be ${describeTypes(expected)} (${hint})`, source.rangeOf(path));
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const suggestions = typeof e.data === 'string' ? suggest(e.data, allowed) : [];
      const message = custom
        ? schemaText(label, custom)
        : `${label} must be one of ${allowed.join(', ')}${didYouMean(suggestions)}`;
      return make('invalid-value', message, source.rangeOf(path), path, suggestions);
    }
    case 'const':
      return make('invalid-value', custom ? schemaText(label, custom) : `${label} must be ${JSON.stringify(params.allowedValue)}`, source.rangeOf(path));
    case 'pattern': {
      if (isAttribute(parent)) return undefined;
      const text = (parent.patternErrorMessage as string | undefined) ?? custom;
      const message = text ? schemaText(label, text) : `${label} is not in the expected form`;
      return make(codeFor(parent), message, source.rangeOf(path));
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const min = parent.minimum as number | undefined;
      const max = parent.maximum as number | undefined;
      const message =
        min !== undefined && max !== undefined
          ? `${label} must be from ${min} to ${max}`
          : e.keyword.endsWith('inimum')
            ? `${label} must be at least ${params.limit}`
            : `${label} must be at most ${params.limit}`;
      return make('out-of-range', message, source.rangeOf(path));
    }
    case 'minLength':
      return make('invalid-value', `${label} must not be empty`, source.rangeOf(path));
    case 'maxLength':
      return make('invalid-value', `${label} must be at most ${params.limit} characters long`, source.rangeOf(path));
    case 'minItems':
      return make('too-few', `${label} must list at least ${params.limit === 1 ? 'one entry' : `${params.limit} entries`}`, source.rangeOf(path));
    case 'minProperties':
      return make('too-few', `${label} must have at least ${params.limit === 1 ? 'one entry' : `${params.limit} entries`}`, source.rangeOf(path));
    case 'uniqueItems': {
      const i = Number(params.i);
      const item = Array.isArray(e.data) ? e.data[i] : undefined;
      return make('duplicate-entry', `${label} lists ${JSON.stringify(item)} twice`, source.rangeOf([...path, i]), [...path, i]);
    }
    case 'anyOf':
    case 'oneOf':
      return unionProblem(e, path, label, custom, source, make);
    case 'if':
      // The failing `then` reports its own errors (the schema-only attribute checks, x-attribute).
      return undefined;
    default:
      return make('invalid-value', `${label} ${e.message ?? 'is not valid'}`, source.rangeOf(path));
  }
}

function unionProblem(
  e: Problem,
  path: Path,
  label: string,
  custom: string | undefined,
  source: SourceMap,
  make: (code: string, message: string, range: Range | undefined, p?: Path) => Diagnostic,
): Diagnostic {
  const branches = (e.schema as SchemaNode[]) ?? [];
  const keys = branches.map((b) => ((b.required as string[]) ?? []).join(' and '));
  const container = formatPath(path) || 'the file';
  if (e.union === 'missing') {
    // At the top level the alternatives are the directory lists: a file must read at least one.
    if (!path.length) {
      // Worded from the first two lists only, so that a new source changes no message.
      const message = `missing required key "${keys[0]}" at the top level${keys.length > 1 ? ` (or another directory list, such as ${keys[1]})` : ''}`;
      return make('missing-key', message, source.headRangeOf(path));
    }
    return make('missing-key', `${container} needs ${keys.join(' or ')}`, source.headRangeOf(path));
  }
  if (e.union === 'conflict') {
    const present = keys.filter((k) => source.keyRangeOf([...path, k]));
    const ranges = present.map((k) => ({ k, r: source.keyRangeOf([...path, k])! }));
    ranges.sort((a, b) => a.r.start.line - b.r.start.line || a.r.start.character - b.r.start.character);
    const last = ranges[ranges.length - 1];
    return make(
      'conflicting-keys',
      `${container} has both ${keys.join(' and ')}: give only one`,
      last?.r ?? source.headRangeOf(path),
      last ? [...path, last.k] : path,
    );
  }
  if (custom) return make('wrong-type', schemaText(label, custom), source.rangeOf(path));
  const kinds = branches.map((b) => {
    const s = resolveRef(b);
    if (Array.isArray(s.enum)) return `one of ${(s.enum as unknown[]).join(', ')}`;
    const types = schemaTypes(s);
    return types ? describeTypes([...types]) : 'another form';
  });
  return make('wrong-type', `${label} must be ${kinds.join(' or ')}`, source.rangeOf(path));
}

/** The schema's attribute names (definitions.attribute): which ones exist is the directory's to say. */
function isAttribute(node: SchemaNode): boolean {
  return node['x-attribute'] === true || node.pattern === (schema.definitions.attribute as SchemaNode).pattern;
}

function codeFor(node: SchemaNode): string {
  return node.pattern === REFERENCE_PATTERN ? 'literal-secret' : node.type === 'string' && node.pattern ? 'invalid-format' : 'wrong-type';
}

function dedupe(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.range.start.line}:${d.range.start.character}:${d.severity}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function lowerFirst(s: string): string {
  return s ? s[0].toLowerCase() + s.slice(1) : s;
}
