/** One-line method summaries written from the method name alone (never copied from the docs). */

const MODULE_LABELS: Record<string, string> = {
  ai: 'AI',
  bizproc: 'workflow',
  biconnector: 'BI connector',
  catalog: 'catalog',
  crm: 'CRM',
  disk: 'Drive',
  documentgenerator: 'document generator',
  im: 'messenger',
  imbot: 'chatbot',
  imconnector: 'connector',
  imopenlines: 'open lines',
  landing: 'sites',
  lists: 'lists',
  rpa: 'RPA',
  sale: 'store',
  sonet_group: 'workgroup',
  socialnetwork: 'social network',
  task: 'task',
  tasks: 'tasks',
  telephony: 'telephony',
  timeman: 'time tracking',
  voximplant: 'telephony',
}

/** Verb → phrase; `{o}` is the object phrase, `{a}` its article. */
const VERBS: Record<string, string> = {
  add: 'Create {a} {o}.',
  create: 'Create {a} {o}.',
  update: 'Update {a} {o}.',
  edit: 'Update {a} {o}.',
  modify: 'Update {a} {o}.',
  delete: 'Delete {a} {o}.',
  remove: 'Remove {a} {o}.',
  get: 'Get {a} {o}.',
  getbyid: 'Get {a} {o} by ID.',
  list: 'List {o:plural}.',
  getlist: 'List {o:plural}.',
  items: 'List {o:plural}.',
  search: 'Search {o:plural}.',
  find: 'Search {o:plural}.',
  fields: 'Describe the fields of {o:plural}.',
  getfields: 'Describe the fields of {o:plural}.',
  set: 'Set {o}.',
  bind: 'Bind {o}.',
  unbind: 'Unbind {o}.',
  register: 'Register {a} {o}.',
  unregister: 'Unregister {a} {o}.',
  send: 'Send {a} {o}.',
  start: 'Start {a} {o}.',
  stop: 'Stop {a} {o}.',
  count: 'Count {o:plural}.',
  clear: 'Clear {o}.',
  import: 'Import {a} {o}.',
  export: 'Export {o}.',
  upload: 'Upload {a} {o}.',
  download: 'Download {a} {o}.',
  attach: 'Attach {a} {o}.',
  detach: 'Detach {a} {o}.',
  complete: 'Complete {a} {o}.',
  approve: 'Approve {a} {o}.',
  close: 'Close {a} {o}.',
  open: 'Open {a} {o}.',
  rename: 'Rename {a} {o}.',
  copy: 'Copy {a} {o}.',
  move: 'Move {a} {o}.',
  publish: 'Publish {a} {o}.',
  unpublish: 'Unpublish {a} {o}.',
  info: 'Describe {o}.',
}

function words(segment: string): string {
  return segment
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/_/g, ' ')
    .toLowerCase()
}

function plural(phrase: string): string {
  if (/(s|x|ch|sh)$/.test(phrase)) return phrase.endsWith('s') ? phrase : `${phrase}es`
  if (/[^aeiou]y$/.test(phrase)) return `${phrase.slice(0, -1)}ies`
  return `${phrase}s`
}

function article(phrase: string): string {
  return /^([aeio]|u[np]|AI)/.test(phrase) ? 'an' : 'a'
}

/** Names whose verb alone says little. */
const SPECIAL: Record<string, string> = {
  batch: 'Run up to 50 method calls in one request.',
  profile: 'Get the profile of the current user.',
  methods: 'List the methods available to the application.',
  scope: 'List the permission scopes.',
  events: 'List the events the application can subscribe to.',
  'app.info': 'Get information about the application.',
  'server.time': 'Get the current server time.',
  'method.get': 'Check whether a method exists and is available.',
  'access.name': 'Get readable names of access codes.',
  'user.get': 'List users matching a filter.',
  documentation: 'Get the OpenAPI description of the REST 3.0 methods.',
  'rest.documentation.openapi': 'Get the OpenAPI description of the REST 3.0 methods.',
  'rest.scope.list': 'Map every REST 3.0 method to its scope.',
  'department.get': 'List departments matching a filter.',
}

function singular(word: string): string {
  return word.endsWith('s') ? word.slice(0, -1) : word
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

/** e.g. crm.deal.get → "Get a CRM deal by ID.", crm.deal.list → "List CRM deals." */
export function summarize(name: string, options: { version?: 3; byId?: boolean } = {}): string {
  const suffix = options.version === 3 ? ' (REST 3.0)' : ''
  const special = SPECIAL[name]
  if (special !== undefined) return withSuffix(special, suffix)
  const segments = name.split('.').filter((s) => !/^v\d+$/.test(s))
  if (segments.length === 1) return withSuffix(`Call the ${name} method.`, suffix)
  const verb = segments[segments.length - 1]
  const label = MODULE_LABELS[segments[0]] ?? words(segments[0])
  const parts = [label]
  for (const word of segments.slice(1, -1).map(words)) {
    const last = parts[parts.length - 1]
    if (singular(word) === singular(last.split(' ').pop()!)) parts[parts.length - 1] = last.replace(/\S+$/, word)
    else if (!last.endsWith(word)) parts.push(word)
  }
  const object = parts.join(' ')
  let template = VERBS[verb.toLowerCase()]
  if (template === undefined) return withSuffix(`${capitalize(object)}: ${words(verb)}.`, suffix)
  if (verb.toLowerCase() === 'get' && options.byId === true) template = 'Get {a} {o} by ID.'
  const sentence = template
    .replace('{a} {o}', `${article(object)} ${object}`)
    .replace('{o:plural}', plural(object))
    .replace('{o}', object)
  return withSuffix(sentence, suffix)
}

function withSuffix(sentence: string, suffix: string): string {
  return suffix === '' || sentence.includes('REST 3.0') ? sentence : `${sentence.slice(0, -1)}${suffix}.`
}
