// `attributes` and `excludedAttributes` (RFC 7644 §3.4.2.5, §3.9): which attributes an answer
// carries. `id` and `schemas` are always returned; names are case-insensitive and may carry a
// schema URN or a sub-attribute (`name.givenName`, `urn:…:enterprise:2.0:User:department`).
import { badRequest } from './errors';
import { attrPath, AttrPath, keyOf } from './filter';

type Json = Record<string, unknown>;
const ALWAYS = new Set(['id', 'schemas']);

export interface Projection {
  attributes?: AttrPath[];
  excluded?: AttrPath[];
}

export function projectionOf(attributes: string | null, excluded: string | null): Projection {
  const list = (v: string | null) =>
    v === null
      ? undefined
      : v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
          .map((s) => {
            try {
              return attrPath(s);
            } catch {
              throw badRequest('invalidValue', `"${s}" is no attribute name`);
            }
          });
  return { attributes: list(attributes), excluded: list(excluded) };
}

/** Does `path` name `key` of `resource` (a top-level key, or the extension object it sits in)? */
function holder(resource: Json, path: AttrPath): Json | undefined {
  if (!path.schema || /core:2\.0:/i.test(path.schema)) return resource;
  const k = keyOf(resource, path.schema);
  const ext = k === undefined ? undefined : resource[k];
  return ext && typeof ext === 'object' ? (ext as Json) : undefined;
}

export function project(resource: Json, p: Projection): Json {
  if (p.attributes?.length) {
    const out: Json = {};
    for (const k of Object.keys(resource)) if (ALWAYS.has(k) || k === 'meta') out[k] = resource[k];
    for (const path of p.attributes) {
      const from = holder(resource, path);
      const k = from && keyOf(from, path.attr);
      if (!from || k === undefined) continue;
      const to = from === resource ? out : ((out[path.schema as string] as Json) ??= {});
      if (!path.sub) to[k] = from[k];
      else {
        const v = from[k];
        const pick = (e: unknown) => {
          if (!e || typeof e !== 'object') return e;
          const sk = keyOf(e as Json, path.sub as string);
          return sk === undefined ? {} : { [sk]: (e as Json)[sk] };
        };
        const picked = Array.isArray(v) ? v.map(pick) : pick(v);
        const prev = to[k];
        to[k] = Array.isArray(picked) ? picked.map((e, i) => ({ ...((Array.isArray(prev) ? prev[i] : undefined) as Json), ...(e as Json) })) : { ...(prev as Json), ...(picked as Json) };
      }
    }
    return out;
  }
  if (p.excluded?.length) {
    const out = structuredClone(resource);
    for (const path of p.excluded) {
      const from = holder(out, path);
      const k = from && keyOf(from, path.attr);
      if (!from || k === undefined || (from === out && ALWAYS.has(k))) continue;
      if (!path.sub) delete from[k];
      else for (const e of Array.isArray(from[k]) ? (from[k] as Json[]) : [from[k] as Json]) if (e && typeof e === 'object') delete e[keyOf(e, path.sub) ?? path.sub];
    }
    return out;
  }
  return resource;
}

/**
 * Whether an answer carries `attr` at all, so a costly one (a group's members, a user's groups) is
 * not worked out only to be left out: Entra asks with excludedAttributes=members, a remote plan
 * with excludedAttributes=groups.
 */
export function wants(p: Projection, attr: string): boolean {
  if (p.attributes?.length) return p.attributes.some((a) => a.attr.toLowerCase() === attr);
  return !(p.excluded ?? []).some((a) => a.attr.toLowerCase() === attr && !a.sub);
}
