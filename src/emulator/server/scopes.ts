/** Scope codes and how a credential's scopes admit a method. */

/** Scope codes of the REST API (api-reference/scopes/permissions.md); `basic` methods need none. */
export const KNOWN_SCOPES: readonly string[] = [
  'ai_admin',
  'biconnector',
  'bizproc',
  'booking',
  'calendar',
  'call',
  'cashbox',
  'catalog',
  'contact_center',
  'crm',
  'delivery',
  'department',
  'disk',
  'documentgenerator',
  'entity',
  'humanresources',
  'humanresources.hcmlink',
  'im',
  'imbot',
  'imconnector',
  'imopenlines',
  'intranet',
  'landing',
  'lists',
  'log',
  'mailservice',
  'main',
  'messageservice',
  'mobile',
  'pay_system',
  'placement',
  'pull',
  'rpa',
  'sale',
  'salescenter',
  'sign.b2e',
  'socialnetwork',
  'sonet_group',
  'task',
  'telephony',
  'timeman',
  'user',
  'user_basic',
  'user_brief',
  'user.userfield',
  'userconsent',
  'userfieldconfig',
  'vote',
]

export const BASIC_SCOPE = 'basic'

/** Narrower scopes that also open a method of the wider one (`user_brief` lets you call `user.get`). */
const GRANTED_BY: Readonly<Record<string, readonly string[]>> = {
  user: ['user_brief', 'user_basic'],
}

/** A credential's scopes: every scope, or a fixed set. */
export type ScopeSet = 'all' | ReadonlySet<string>

/** Accepts `'all'`, a list, or a comma/space-separated string (as apps store it). */
export function normalizeScopes(input: readonly string[] | string | undefined): ScopeSet {
  if (input === undefined || input === 'all') return 'all'
  const list = typeof input === 'string' ? input.split(/[\s,]+/) : input
  return new Set(list.map((scope) => scope.trim().toLowerCase()).filter((scope) => scope !== ''))
}

export function scopeAllows(scopes: ScopeSet, methodScope: string): boolean {
  const scope = methodScope.toLowerCase()
  if (scope === BASIC_SCOPE || scopes === 'all' || scopes.has(scope)) return true
  return (GRANTED_BY[scope] ?? []).some((narrow) => scopes.has(narrow))
}

/** The scope codes a credential holds, `all` expanded to every scope the portal knows. */
export function listScopes(scopes: ScopeSet, allScopes: readonly string[]): string[] {
  return scopes === 'all' ? [...allScopes] : [...scopes]
}
