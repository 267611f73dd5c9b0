// Every directory source, registered once. A new source is a folder beside this file (its reader,
// simulator-facing auth and paging, language.json for the mapping language) and one line here.
import { entraSource } from './entra/source';
import { googleSource } from './google/source';
import { ldapSource } from './ldap/source';
import { oktaSource } from './okta/source';
import { scimSource } from './scim/source';
import type { DirectorySource } from './source';

export const SOURCES: readonly DirectorySource[] = [entraSource, oktaSource, googleSource, ldapSource, scimSource];

export function sourceFor(key: string): DirectorySource {
  const source = SOURCES.find((s) => s.key === key);
  if (!source) throw new Error(`no directory source is registered for "${key}:"`);
  return source;
}

export type { DirectoryConnection, DirectorySource, AccessCheck, ReadReport, SignInProvider, PersonTokenSource, RetryOptions } from './source';
