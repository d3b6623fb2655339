/**
 * `im.notify.*` served with state: notifications sent to a user (`im.notify.system.add`, `.personal.add`,
 * `im.notify`), read back by their recipient with `im.notify.get`, marked read, and deleted by ID or tag.
 * Memory follows what is sent.
 */
import { type CallContext, type MethodDefinition, type Params, RestError } from '../../kernel.js'
import type { PortalEnv } from '../env.js'
import { formatIso, intval, pickParam, positiveId, toList } from '../util.js'
import { baseCostMethods } from './base-cost.js'

interface Notification {
  id: number
  userId: number
  authorId: number
  date: number
  system: boolean
  tag: string
  subTag: string
  text: string
  read: boolean
}

const CHAT_ID_BASE = 1000

export function notificationMethods(env: PortalEnv): Record<string, MethodDefinition> {
  const sent = new Map<number, Notification>()
  let nextId = 1
  const charged = baseCostMethods(env)
  const method = (handler: MethodDefinition['handler']): MethodDefinition => charged('im', handler)
  const text = (params: Params, name: string): string => {
    const value = pickParam(params, name)
    return typeof value === 'string' || typeof value === 'number' ? String(value) : ''
  }
  const add = (system: boolean) => (params: Params, ctx: CallContext) => {
    const userId = positiveId(pickParam(params, 'USER_ID', 'user_id'))
    if (userId === null) throw new RestError('USER_ID_EMPTY', "User ID can't be empty", 400)
    const message = text(params, 'MESSAGE')
    if (message.trim() === '') throw new RestError('MESSAGE_EMPTY', "Message can't be empty", 400)
    const id = nextId++
    sent.set(id, {
      id,
      userId,
      authorId: system ? 0 : ctx.userId,
      date: Math.floor(ctx.now()),
      system,
      tag: text(params, 'TAG'),
      subTag: text(params, 'SUB_TAG'),
      text: message,
      read: false,
    })
    return { result: id }
  }
  const mine = (ctx: CallContext): Notification[] =>
    [...sent.values()].filter((n) => n.userId === ctx.userId).sort((a, b) => b.id - a.id)
  const row = (n: Notification) => ({
    id: n.id,
    chat_id: CHAT_ID_BASE + n.userId,
    author_id: n.authorId,
    date: formatIso(n.date, env.tz),
    notify_type: n.system ? 4 : 2,
    notify_module: 'rest',
    notify_event: 'rest_notify',
    notify_tag: n.tag,
    notify_sub_tag: n.subTag,
    notify_title: '',
    setting_name: 'rest|rest_notify',
    text: n.text,
    notify_read: n.read ? 'Y' : 'N',
    params: null,
  })

  return {
    'im.notify': method((params, ctx) =>
      add(String(pickParam(params, 'TYPE') ?? '').toUpperCase() === 'SYSTEM')(params, ctx),
    ),
    'im.notify.system.add': method(add(true)),
    'im.notify.personal.add': method(add(false)),
    'im.notify.get': method((params, ctx) => {
      const all = mine(ctx)
      const lastId = intval(pickParam(params, 'LAST_ID'))
      const limit = Math.min(50, Math.max(1, intval(pickParam(params, 'LIMIT')) || 50))
      const page = all.filter((n) => lastId <= 0 || n.id < lastId).slice(0, limit)
      return {
        result: {
          total_count: all.length,
          total_unread_count: all.filter((n) => !n.read).length,
          chat_id: CHAT_ID_BASE + ctx.userId,
          notifications: page.map(row),
          users: [],
        },
      }
    }),
    'im.notify.read': method((params, ctx) => {
      const id = positiveId(pickParam(params, 'ID'))
      const read = String(pickParam(params, 'ACTION') ?? 'Y').toUpperCase() !== 'N'
      const onlyCurrent = String(pickParam(params, 'ONLY_CURRENT') ?? 'N').toUpperCase() === 'Y'
      for (const n of mine(ctx)) {
        if (id === null || n.id === id || (!onlyCurrent && n.id < id)) n.read = read
      }
      return { result: true }
    }),
    'im.notify.read.list': method((params, ctx) => {
      const ids = new Set(toList(pickParam(params, 'IDS')).map((v) => intval(v)))
      const read = String(pickParam(params, 'ACTION') ?? 'Y').toUpperCase() !== 'N'
      for (const n of mine(ctx)) if (ids.has(n.id)) n.read = read
      return { result: true }
    }),
    'im.notify.read.all': method((_params, ctx) => {
      for (const n of mine(ctx)) n.read = true
      // documented as an object: { result: true, newCounter: 0 }
      return { result: { result: true, newCounter: 0 } }
    }),
    'im.notify.delete': method((params, ctx) => {
      const id = positiveId(pickParam(params, 'ID'))
      const tag = text(params, 'TAG')
      const subTag = text(params, 'SUB_TAG')
      if (id === null && tag === '' && subTag === '') {
        throw new RestError('PARAMS_ERROR', 'Incorrect params', 400)
      }
      for (const n of [...sent.values()]) {
        const match = id !== null ? n.id === id : tag !== '' ? n.tag === tag : n.subTag === subTag
        if (match && (n.authorId === ctx.userId || n.userId === ctx.userId || n.authorId === 0)) sent.delete(n.id)
      }
      return { result: true }
    }),
  }
}
