// Checks the schema cannot express: names that must refer to each other, rules that can never
// match, placement that contradicts itself; and, when live data is cached, names that must exist
// in the directory or Halo. Every problem is positioned through the parsed document.
import { Diagnostic, Locator, Path, Range, START, Severity, compareDiagnostics, formatPath } from './diagnostic';
import { HALO_AGENT_FIELDS, HALO_USER_FIELDS } from './halo-fields';
import { AgentRule, Mapping, Selector, UserRule } from './mapping';
import type { ParsedMapping } from './parse';
import { attributePermission, MANAGER, MANAGER_AGENT } from './attributes';
import { asksForGuests, connectionsOf, Directory, directoryLabel, directoryOfTenant, directoryWithArticle, tenantOf } from './directories';
import { fieldSources } from './needs';
import { isReference } from './secrets';
import { didYouMean, suggest } from './suggest';
import { insecureUrlProblem } from './urls';

type RuleKind = 'agents' | 'users';

class Collector {
  readonly out: Diagnostic[] = [];
  constructor(private readonly at: Locator) {}

  add(severity: Severity, code: string, message: string, range: Range | undefined, path: Path, suggestions?: string[]): void {
    this.out.push({
      severity,
      code,
      message,
      range: range ?? this.at.headRangeOf(path) ?? START,
      path,
      ...(suggestions?.length ? { suggestions } : {}),
    });
  }

  /** ` (line N)`, one-based, to point from one message at another place in the file. */
  line(path: Path): string {
    const r = this.at.headRangeOf(path) ?? this.at.rangeOf(path);
    return r ? ` (line ${r.start.line + 1})` : '';
  }
}

/** Semantic checks of a mapping that already matches the schema. */
export function checkSemantics(mapping: Mapping, at: Locator): Diagnostic[] {
  const c = new Collector(at);
  checkConnections(mapping, at, c);
  checkTenants(mapping, at, c);
  for (const kind of ['agents', 'users'] as const) checkRules(mapping, kind, at, c);
  checkPlacement(mapping, at, c);
  checkGrants(mapping, at, c);
  checkFields(mapping, at, c);
  checkNesting(mapping, at, c);
  checkProtect(mapping, c);
  checkSafety(mapping, at, c);
  return c.out;
}

function checkConnections(mapping: Mapping, at: Locator, c: Collector): void {
  const connections = connectionsOf(mapping);
  const urls: Array<[Path, unknown]> = [
    [['halo', 'url'], mapping.halo.url],
    [['halo', 'authUrl'], mapping.halo.authUrl],
    ...connections.flatMap((conn) => webAddresses(conn.settings, [conn.directory.key, conn.index])),
  ];
  for (const [path, url] of urls) {
    // References are resolved when connecting, and checked there.
    if (typeof url !== 'string' || isReference(url)) continue;
    const problem = insecureUrlProblem(url);
    if (problem) c.add('error', 'insecure-url', `${formatPath(path)} ${problem}`, at.rangeOf(path), path);
  }
  // One name space for every directory: `tenant:` must say which connection without saying which list.
  const first = new Map<string, Path>();
  for (const conn of connections) {
    const here: Path = [conn.directory.key, conn.index];
    const earlier = first.get(conn.name);
    if (earlier === undefined) first.set(conn.name, here);
    else {
      const path = [...here, 'name'];
      c.add('error', 'duplicate-connection', `${conn.directory.key} connection name "${conn.name}" is already used by ${formatPath(earlier)}${c.line(earlier)}`, at.rangeOf(path), path);
    }
  }
}

/** Every web address in a connection's settings (keys ending in url, at any depth, such as cloud.loginUrl). */
function webAddresses(settings: unknown, base: Path): Array<[Path, unknown]> {
  if (!settings || typeof settings !== 'object') return [];
  return Object.entries(settings).flatMap(([k, v]): Array<[Path, unknown]> =>
    typeof v === 'object' ? webAddresses(v, [...base, k]) : /url$/i.test(k) && typeof v === 'string' && /^https?:/i.test(v) ? [[[...base, k], v]] : [],
  );
}

/** How messages name the connection lists a mapping has: "entra", "entra or okta", "entra, okta or google". */
function listsNamed(mapping: Mapping): string {
  const keys = [...new Set(connectionsOf(mapping).map((c) => c.directory.key))];
  if (!keys.length) return 'directory';
  return keys.length === 1 ? keys[0] : `${keys.slice(0, -1).join(', ')} or ${keys[keys.length - 1]}`;
}

/** Rules and grants: everything that names a connection with `tenant:` (or `source:`). */
function tenantUsers(mapping: Mapping): Array<{ base: Path; item: { tenant?: string; source?: string } }> {
  const out: Array<{ base: Path; item: { tenant?: string; source?: string } }> = [];
  for (const section of ['agents', 'users', 'roles', 'cab'] as const) {
    (mapping[section] ?? []).forEach((item, i) => out.push({ base: [section, i], item }));
  }
  return out;
}

/** Where a rule or grant is pointed at as a whole: a rule by its name, anything else by its first line. */
function itemRange(at: Locator, base: Path): Range | undefined {
  return base[0] === 'agents' || base[0] === 'users' ? at.rangeOf([...base, 'rule']) : at.headRangeOf(base);
}

function checkTenants(mapping: Mapping, at: Locator, c: Collector): void {
  const names = [...new Set(connectionsOf(mapping).map((e) => e.name))];
  const lists = listsNamed(mapping);
  for (const { base, item } of tenantUsers(mapping)) {
    if (item.tenant !== undefined && item.source !== undefined) {
      const path = [...base, 'source'];
      c.add('error', 'tenant-and-source', `${formatPath(base)} gives both tenant and source: source is another name for tenant, give one`, at.keyRangeOf(path), path);
    }
    const key = item.tenant !== undefined ? 'tenant' : 'source';
    const named = item.tenant ?? item.source;
    if (named !== undefined) {
      if (!names.includes(named)) {
        const path = [...base, key];
        const suggestions = suggest(named, names);
        c.add('error', 'unknown-tenant', `unknown ${key} "${named}": no ${lists} connection has that name${didYouMean(suggestions)}`, at.rangeOf(path), path, suggestions);
      }
    } else if (names.length > 1) {
      c.add(
        'error',
        'tenant-required',
        `${formatPath(base)} must name its tenant: there is more than one ${lists} connection (${names.join(', ')})`,
        itemRange(at, base),
        base,
      );
    }
  }
}

function selectsSomeone(s: Selector): boolean {
  return s.group !== undefined || (s.groups?.length ?? 0) > 0 || Object.keys(s.where ?? {}).length > 0 || s.all === true;
}

function includesGuests(s: Selector, directory: Directory | undefined): boolean {
  return asksForGuests(s, directory);
}

/**
 * Whether every identity `later` selects is also selected by `earlier`, judged from the file alone
 * (group nesting is unknown here, so a group covers only itself). False when unsure: a shadow
 * warning must never be wrong.
 */
export function covers(earlier: Selector, later: Selector, directory?: Directory): boolean {
  const low = (g: string) => g.toLowerCase();
  const lg = later.group !== undefined ? low(later.group) : undefined;
  const lgs = later.groups?.length ? later.groups.map(low) : undefined;
  // Does membership required by `later` guarantee membership of one of `set`?
  const implies = (set: string[]) => (lg !== undefined && set.includes(lg)) || (lgs !== undefined && lgs.every((g) => set.includes(g)));
  if (earlier.group !== undefined && !implies([low(earlier.group)])) return false;
  if (earlier.groups?.length && !implies(earlier.groups.map(low))) return false;
  const lw = later.where ?? {};
  for (const [k, v] of Object.entries(earlier.where ?? {})) {
    if (!(k in lw) || lw[k] !== v) return false;
  }
  return !includesGuests(later, directory) || includesGuests(earlier, directory);
}

function checkRules(mapping: Mapping, kind: RuleKind, at: Locator, c: Collector): void {
  const rules: Array<AgentRule | UserRule> = mapping[kind] ?? [];
  const firstByName = new Map<string, number>();
  rules.forEach((rule, i) => {
    const base: Path = [kind, i];
    const j = firstByName.get(rule.rule);
    if (j === undefined) firstByName.set(rule.rule, i);
    else {
      const path = [...base, 'rule'];
      c.add('error', 'duplicate-rule', `rule name "${rule.rule}" is already used by ${kind}[${j}]${c.line([kind, j])}`, at.rangeOf(path), path);
    }

    if (!selectsSomeone(rule.from)) {
      const path = [...base, 'from'];
      c.add('error', 'empty-selector', 'from selects no one: give group, groups, where or all: true', at.keyRangeOf(path), path);
    }

    // The directory's guest marker takes a few values only (Entra's userType: Member or Guest).
    const directory = directoryOfTenant(mapping, tenantOf(mapping, rule));
    const marker = directory?.catalogue.guest;
    const marked = marker ? rule.from.where?.[marker.attribute] : undefined;
    if (marker && typeof marked === 'string' && !marker.values.includes(marked)) {
      const path = [...base, 'from', 'where', marker.attribute];
      const exact = marker.values.find((v) => v.toLowerCase() === marked.toLowerCase());
      if (exact) {
        c.add('warning', 'where-case', `${marker.attribute} is compared exactly: "${marked}" will not match ${directory.label}'s "${exact}"`, at.rangeOf(path), path, [exact]);
      } else {
        const suggestions = suggest(marked, marker.values);
        c.add('warning', 'where-value', `${marker.attribute} in ${directory.label} is either ${marker.values.join(' or ')}, so "${marked}" matches no one${didYouMean(suggestions)}`, at.rangeOf(path), path, suggestions);
      }
    }

    if (!selectsSomeone(rule.from)) return;
    for (let e = 0; e < i; e++) {
      const earlier = rules[e];
      if (!selectsSomeone(earlier.from) || tenantOf(mapping, earlier) !== tenantOf(mapping, rule)) continue;
      if (!covers(earlier.from, rule.from, directory)) continue;
      const path = [...base, 'rule'];
      // An error (DESIGN §2): a rule that can never match is a mistake the admin must see fixed.
      c.add(
        'error',
        'shadowed-rule',
        `rule "${rule.rule}" can never match: rule "${earlier.rule}"${c.line([kind, e])} comes first and selects everyone this rule selects`,
        at.rangeOf(path),
        path,
      );
      break;
    }
  });
}

function checkPlacement(mapping: Mapping, at: Locator, c: Collector): void {
  (mapping.users ?? []).forEach((rule, i) => {
    const base: Path = ['users', i];
    if (rule.site !== undefined && rule.siteFrom !== undefined) {
      const path = [...base, 'siteFrom'];
      c.add(
        'error',
        'site-conflict',
        `give either site or siteFrom, not both: site places everyone in one site, siteFrom takes each site from ${directoryWithArticle(mapping, tenantOf(mapping, rule))} attribute`,
        at.keyRangeOf(path),
        path,
      );
    }
    if (rule.client !== undefined && rule.clientFrom !== undefined) {
      const path = [...base, 'clientFrom'];
      c.add('error', 'client-conflict', `give either client or clientFrom, not both: client places everyone under one client, clientFrom takes each client from ${directoryWithArticle(mapping, tenantOf(mapping, rule))} attribute`, at.keyRangeOf(path), path);
    }
    if (rule.clientFrom === undefined && rule.clientDefault !== undefined) {
      const path = [...base, 'clientDefault'];
      c.add('warning', 'client-default-unused', 'clientDefault has no effect without clientFrom', at.keyRangeOf(path), path);
    }
    if (rule.siteFrom === undefined) {
      if (rule.createSites === true) {
        const path = [...base, 'createSites'];
        c.add('warning', 'create-sites-unused', 'createSites has no effect without siteFrom', at.keyRangeOf(path), path);
      }
      if (rule.siteDefault !== undefined) {
        const path = [...base, 'siteDefault'];
        c.add('warning', 'site-default-unused', 'siteDefault has no effect without siteFrom', at.keyRangeOf(path), path);
      }
    }
  });
}

function checkGrants(mapping: Mapping, at: Locator, c: Collector): void {
  (mapping.roles ?? []).forEach((grant, i) => {
    const base: Path = ['roles', i];
    const byManager = grant.noManager === true;
    if (grant.group === undefined && !byManager) {
      c.add('error', 'grant-selector', `${formatPath(base)} must say who gets the roles: give group or noManager: true`, at.headRangeOf(base), base);
    } else if (grant.group !== undefined && byManager) {
      const path = [...base, 'noManager'];
      c.add('error', 'grant-selector', `${formatPath(base)} has both group and noManager: use one per entry`, at.keyRangeOf(path), path);
    }
    if (!grant.agentRoles?.length && !grant.userRoles?.length && grant.inactive !== true) {
      c.add('warning', 'grant-empty', `${formatPath(base)} grants no roles: add agentRoles or userRoles`, at.headRangeOf(base), base);
    }
  });
}

/** Where a directory's groups do not nest (Okta), a group is its direct members only: said once per group and connection. */
function checkNesting(mapping: Mapping, at: Locator, c: Collector): void {
  const said = new Set<string>();
  const note = (item: { tenant?: string; source?: string }, group: string, path: Path) => {
    const tenant = tenantOf(mapping, item);
    const directory = directoryOfTenant(mapping, tenant);
    if (!directory || directory.nests || said.has(`${tenant}\u0000${group}`)) return;
    said.add(`${tenant}\u0000${group}`);
    c.add('info', 'flat-groups', `${directory.label} groups do not nest: "${group}" selects its own members only, not the members of groups inside it`, at.rangeOf(path), path);
  };
  for (const kind of ['agents', 'users'] as const) {
    (mapping[kind] ?? []).forEach((rule: AgentRule | UserRule, i) => {
      if (rule.from.group !== undefined) note(rule, rule.from.group, [kind, i, 'from', 'group']);
      (rule.from.groups ?? []).forEach((g, k) => note(rule, g, [kind, i, 'from', 'groups', k]));
    });
  }
  (mapping.roles ?? []).forEach((g, i) => g.group !== undefined && note(g, g.group, ['roles', i, 'group']));
  (mapping.cab ?? []).forEach((g, i) => note(g, g.group, ['cab', i, 'group']));
}

/** Fields the tool writes itself; mapping them would fight its own placement, link or deprovisioning. */
const OWNED_FIELDS: Record<RuleKind, Record<string, string>> = {
  users: {
    id: "it is Halo's record id",
    site_id: "the rule's site or siteFrom places the user",
    client_id: "the rule's client places the user",
    inactive: 'deprovisioning sets it',
    azureoid: 'it links the user to the Entra identity',
  },
  agents: {
    id: "it is Halo's record id",
    isdisabled: 'deprovisioning sets it',
  },
};

/** Same meaning, different name on users and agents: the slip most worth a precise hint. */
const COUNTERPARTS: Record<RuleKind, Record<string, string>> = {
  users: { email: 'emailaddress', jobtitle: 'title' },
  agents: { emailaddress: 'email', title: 'jobtitle' },
};

const MANAGER_AGENT_SOURCE = `${MANAGER}.${MANAGER_AGENT}`;

function checkFields(mapping: Mapping, at: Locator, c: Collector): void {
  // Selection and placement take attributes; the manager's agent record is not one.
  for (const kind of ['agents', 'users'] as const) {
    (mapping[kind] ?? []).forEach((rule: AgentRule | UserRule, i) => {
      if (rule.from.where?.[MANAGER_AGENT_SOURCE] !== undefined) c.add('error', 'manager-agent', `${MANAGER_AGENT_SOURCE} is not ${directoryWithArticle(mapping, tenantOf(mapping, rule))} attribute a rule can select by`, at.keyRangeOf([kind, i, 'from', 'where', MANAGER_AGENT_SOURCE]), [kind, i, 'from', 'where', MANAGER_AGENT_SOURCE]);
      if ('siteFrom' in rule && rule.siteFrom === MANAGER_AGENT_SOURCE) c.add('error', 'manager-agent', `${MANAGER_AGENT_SOURCE} is not ${directoryWithArticle(mapping, tenantOf(mapping, rule))} attribute a site can be taken from`, at.rangeOf([kind, i, 'siteFrom']), [kind, i, 'siteFrom']);
    });
  }
  for (const kind of ['users', 'agents'] as const) {
    const known = kind === 'users' ? HALO_USER_FIELDS : HALO_AGENT_FIELDS;
    const noun = kind === 'users' ? 'user' : 'agent';
    for (const name of Object.keys(mapping.fields?.[kind] ?? {})) {
      const path = ['fields', kind, name];
      const range = at.keyRangeOf(path);
      const owned = OWNED_FIELDS[kind][name];
      if (owned) {
        c.add('error', 'owned-field', `${name} is written by Halo Identity itself (${owned}): remove it from fields.${kind}`, range, path);
      } else if (/^cf/i.test(name) && !name.startsWith('CF')) {
        const fixed = `CF${name.slice(2)}`;
        c.add('error', 'custom-field-name', `Halo custom field names start with "CF" in capitals (did you mean "${fixed}"?)`, range, path, [fixed]);
      } else if (name === 'CF') {
        c.add('error', 'custom-field-name', 'a custom field name needs its name after "CF", such as CFDepartment', range, path);
      } else if (COUNTERPARTS[kind][name]) {
        const other = COUNTERPARTS[kind][name];
        const otherNoun = kind === 'users' ? 'agent' : 'user';
        c.add('warning', 'unknown-field', `"${name}" is the Halo ${otherNoun} field; a Halo ${noun} has "${other}"`, range, path, [other]);
      } else if (kind === 'users' && fieldSources(mapping.fields!.users![name]).includes(MANAGER_AGENT_SOURCE)) {
        c.add('error', 'manager-agent', `${MANAGER_AGENT_SOURCE} is the Halo agent id of the manager's agent record, for agent fields such as linemanager; for a user, name one of the manager's attributes, such as manager.mail`, at.rangeOf(path), path, ['manager.mail']);
      } else if (!name.startsWith('CF') && !known.includes(name)) {
        const suggestions = suggest(name, known);
        c.add(
          'warning',
          'unknown-field',
          `"${name}" is not a Halo ${noun} field${didYouMean(suggestions)}; custom fields go by their Halo name, which starts with CF`,
          range,
          path,
          suggestions,
        );
      }
    }
  }
}

function checkProtect(mapping: Mapping, c: Collector): void {
  (mapping.protect ?? []).forEach((entry, i) => {
    if (entry.email === undefined && entry.haloId === undefined && entry.entraId === undefined) {
      const base: Path = ['protect', i];
      c.add('error', 'protect-empty', `${formatPath(base)} must name the record to protect: give email, haloId or entraId`, undefined, base);
    }
  });
}

function checkSafety(mapping: Mapping, at: Locator, c: Collector): void {
  for (const key of ['maxDeactivations', 'maxChanges'] as const) {
    const value = mapping.safety?.[key];
    if (typeof value === 'string' && parseFloat(value) > 100) {
      const path = ['safety', key];
      c.add('error', 'threshold-over-100', `${key} cannot be over 100%: it is a share of the managed Halo records`, at.rangeOf(path), path);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Names checked against live data

/** Names as last read from the directories and Halo (any list left out is not checked). */
export interface LiveNames {
  /** Per connection name: group names (and ids, if known). */
  groups?: Record<string, string[]>;
  agentRoles?: string[];
  userRoles?: string[];
  teams?: string[];
  clients?: string[];
  sites?: Array<{ client: string; name: string }>;
  cabs?: Array<{ name: string; roles: string[] }>;
  /** Per connection name: the permissions its credentials carry, when they could be seen. */
  permissions?: Record<string, string[]>;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Unknown group, role, team, client, site and CAB names, with did-you-mean suggestions. */
export function checkLiveNames(parsed: ParsedMapping, live: LiveNames): Diagnostic[] {
  const mapping = parsed.typed;
  if (!mapping) return [];
  const c = new Collector(parsed);

  /** Exact: fine. Only the case differs: a warning. Otherwise: `severity`. */
  const check = (value: string, names: readonly string[] | undefined, path: Path, code: string, what: string, severity: Severity = 'error', tail = '', system = 'Halo') => {
    if (!names || names.includes(value)) return;
    const range = parsed.rangeOf(path);
    const sameCase = names.find((n) => n.toLowerCase() === value.toLowerCase());
    if (sameCase) {
      c.add('warning', code, `${what} "${value}" is written "${sameCase}" in ${system}`, range, path, [sameCase]);
      return;
    }
    const suggestions = suggest(value, names);
    c.add(severity, code, `${what} "${value}" does not exist${tail}${didYouMean(suggestions)}`, range, path, suggestions);
  };

  const groupCheck = (tenant: string, group: string, path: Path) => {
    const names = live.groups?.[tenant];
    if (!names) return;
    // An object id can only be checked when the cache holds ids.
    if (GUID.test(group) && !names.some((n) => GUID.test(n))) return;
    const label = directoryLabel(mapping, tenant);
    check(group, names, path, 'unknown-group', `${label} group`, 'error', ` in tenant ${tenant}`, label);
  };

  for (const kind of ['agents', 'users'] as const) {
    (mapping[kind] ?? []).forEach((rule: AgentRule | UserRule, i) => {
      const tenant = tenantOf(mapping, rule);
      if (rule.from.group !== undefined) groupCheck(tenant, rule.from.group, [kind, i, 'from', 'group']);
      (rule.from.groups ?? []).forEach((g, k) => groupCheck(tenant, g, [kind, i, 'from', 'groups', k]));
    });
  }
  (mapping.roles ?? []).forEach((grant, i) => {
    if (grant.group !== undefined) groupCheck(tenantOf(mapping, grant), grant.group, ['roles', i, 'group']);
    (grant.agentRoles ?? []).forEach((r, k) => check(r, live.agentRoles, ['roles', i, 'agentRoles', k], 'unknown-role', 'Halo agent role'));
    (grant.userRoles ?? []).forEach((r, k) => check(r, live.userRoles, ['roles', i, 'userRoles', k], 'unknown-role', 'Halo user role'));
  });
  (mapping.cab ?? []).forEach((grant, i) => groupCheck(tenantOf(mapping, grant), grant.group, ['cab', i, 'group']));

  (mapping.agents ?? []).forEach((rule, i) => {
    if (rule.team !== undefined) check(rule.team, live.teams, ['agents', i, 'team'], 'unknown-team', 'Halo team');
    (rule.roles ?? []).forEach((r, k) => check(r, live.agentRoles, ['agents', i, 'roles', k], 'unknown-role', 'Halo agent role'));
  });

  (mapping.users ?? []).forEach((rule, i) => {
    (rule.roles ?? []).forEach((r, k) => check(r, live.userRoles, ['users', i, 'roles', k], 'unknown-role', 'Halo user role'));
    if (rule.clientDefault !== undefined) check(rule.clientDefault, live.clients, ['users', i, 'clientDefault'], 'unknown-client', 'Halo client');
    // With clientFrom the client is each user's own: their values are checked when the plan reads them.
    if (rule.client === undefined) return;
    check(rule.client, live.clients, ['users', i, 'client'], 'unknown-client', 'Halo client');
    // Sites are checked only under a client that exists; a missing client is the one problem to fix.
    if (!live.sites || (live.clients && !live.clients.includes(rule.client))) return;
    const sites = live.sites.filter((s) => s.client === rule.client).map((s) => s.name);
    const severity: Severity = rule.createSites ? 'warning' : 'error';
    const tail = ` under client "${rule.client}"${rule.createSites ? ' yet' : ''}`;
    if (rule.site !== undefined) check(rule.site, sites, ['users', i, 'site'], 'unknown-site', 'Halo site', severity, tail);
    if (rule.siteDefault !== undefined) check(rule.siteDefault, sites, ['users', i, 'siteDefault'], 'unknown-site', 'Halo site', severity, tail);
  });

  // A field from an attribute the token may not read (signInActivity without AuditLog.Read.All):
  // plans leave it as it is in Halo, which the person should hear about before, not after.
  const connections = connectionsOf(mapping);
  for (const kind of ['users', 'agents'] as const) {
    for (const [field, spec] of Object.entries(mapping.fields?.[kind] ?? {})) {
      for (const source of fieldSources(spec)) {
        for (const d of new Set(connections.map((conn) => conn.directory))) {
          const permission = attributePermission(d, source);
          const lacking = permission === undefined ? [] : connections.filter((t) => t.directory === d && live.permissions?.[t.name] && !live.permissions[t.name].includes(permission)).map((t) => t.name);
          if (!lacking.length) continue;
          const path = ['fields', kind, field];
          c.add('warning', 'missing-permission', `${source} needs the ${d.catalogue.authority} permission ${permission}, which ${d.label} "${lacking.join('", "')}" has not granted: plans leave ${field} as it is in Halo until it is`, parsed.rangeOf(path), path);
        }
      }
    }
  }

  (mapping.cab ?? []).forEach((grant, i) => {
    if (!live.cabs) return;
    check(grant.cab, live.cabs.map((x) => x.name), ['cab', i, 'cab'], 'unknown-cab', 'Halo CAB');
    const cab = live.cabs.find((x) => x.name === grant.cab);
    if (cab && grant.role !== undefined) check(grant.role, cab.roles, ['cab', i, 'role'], 'unknown-cab-role', `CAB role`, 'error', ` on CAB "${cab.name}"`);
  });

  return c.out.sort(compareDiagnostics);
}
