// How the Halo simulator answers where Halo's documents allow more than one reading (DESIGN §6a).
// The default is the newest document (halo-api.md §1a, halo-openapi-newer.json) and, where it is
// silent, the reading worst for a client; every other reading is a named mode.

export interface HaloModes {
  /**
   * User list rows: `newer` = Users_List of the newer document (azureoid, role_ids, no role
   * objects, custom fields only with include_custom_fields) [V]; `older` = SPEC's Users_List (no
   * azureoid, no role_ids; customfields always, as SPEC has no include_custom_fields) [V];
   * `full` = every stored property, role objects and custom fields included.
   */
  userRows: 'newer' | 'older' | 'full';
  /** Null values in rows: left out (default [U]: the worst reading), sent as null, or sent as "". */
  emptyValues: 'omit' | 'null' | 'empty-string';
  /**
   * Agent list: a bare array [V, older sources] whose rows carry no role objects, since what
   * `includeroles` adds is undocumented [U]; or `includeroles` honoured; or the
   * `{page_no, page_size, record_count, agents}` wrapper, paging with `pageinate=true` (the newer
   * document adds the paging parameters but no response schema [U]).
   */
  agentList: 'bare' | 'bare-with-roles' | 'paged';
  /**
   * POST answer. `single`, as the newer document declares per endpoint [V]: /Users, /Site, /Client
   * answer 201 with one object whatever the batch; /Agent, /Team, /CAB a 200 with no content
   * (read as no body). `array`: an array in request order everywhere; `empty`: 200, no body, everywhere.
   */
  postAnswer: 'single' | 'array' | 'empty';
  /** A 400 in a batch: nothing saved [I], or the valid records saved and the bad ones named [U]. */
  batch400: 'none-saved' | 'valid-saved';
  /** `roles` / `teams` on POST: replace the set [I], or add to it [U]. */
  membershipWrite: 'replace' | 'append';
  /** A custom field name Halo does not define: 400 [I], or silently created [U]. */
  unknownCustomField: 'reject' | 'create';
  /** CAB member `type`: checked (agent 1, user 2) [I], or ignored [U]. */
  cabMemberType: 'checked' | 'ignored';
}

export const DOCUMENTED: Readonly<HaloModes> = {
  userRows: 'newer',
  emptyValues: 'omit',
  agentList: 'bare',
  postAnswer: 'single',
  batch400: 'none-saved',
  membershipWrite: 'replace',
  unknownCustomField: 'reject',
  cabMemberType: 'checked',
};

/** The matrix: the documented default and each other reading on its own, by name. */
export const NAMED_MODES: Readonly<Record<string, Partial<HaloModes>>> = {
  documented: {},
  'older-rows': { userRows: 'older' },
  'full-rows': { userRows: 'full' },
  'null-values': { emptyValues: 'null' },
  'empty-strings': { emptyValues: 'empty-string' },
  'agent-roles': { agentList: 'bare-with-roles' },
  'agent-paged': { agentList: 'paged' },
  'post-array': { postAnswer: 'array' },
  'post-empty': { postAnswer: 'empty' },
  'partial-400': { batch400: 'valid-saved' },
  'append-memberships': { membershipWrite: 'append' },
  'create-custom-fields': { unknownCustomField: 'create' },
  'cab-type-ignored': { cabMemberType: 'ignored' },
};

export const MODE_NAMES = Object.keys(NAMED_MODES);

const VALUES: Record<keyof HaloModes, string[]> = {
  userRows: ['newer', 'older', 'full'],
  emptyValues: ['omit', 'null', 'empty-string'],
  agentList: ['bare', 'bare-with-roles', 'paged'],
  postAnswer: ['single', 'array', 'empty'],
  batch400: ['none-saved', 'valid-saved'],
  membershipWrite: ['replace', 'append'],
  unknownCustomField: ['reject', 'create'],
  cabMemberType: ['checked', 'ignored'],
};

/** Modes from a spec such as `older-rows`, `older-rows+post-empty` or `userRows=full,postAnswer=array`. */
export function parseModes(spec: string | undefined): HaloModes {
  const out: HaloModes = { ...DOCUMENTED };
  for (const part of (spec ?? '').split(/[+,]/).map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq < 0) {
      const named = NAMED_MODES[part];
      if (!named) throw new Error(`Unknown Halo simulator mode "${part}"; known: ${MODE_NAMES.join(', ')}`);
      Object.assign(out, named);
      continue;
    }
    const key = part.slice(0, eq) as keyof HaloModes;
    const value = part.slice(eq + 1);
    if (!(key in DOCUMENTED)) throw new Error(`Unknown Halo simulator setting "${key}"; known: ${Object.keys(DOCUMENTED).join(', ')}`);
    if (!VALUES[key].includes(value)) throw new Error(`Halo simulator setting ${key} takes ${VALUES[key].join(', ')}, not "${value}"`);
    (out as unknown as Record<string, string>)[key] = value;
  }
  return out;
}

export function withModes(modes: Partial<HaloModes> | undefined): HaloModes {
  return { ...DOCUMENTED, ...(modes ?? {}) };
}
