/**
 * App storage served with state: `entity.*` storages with their properties, items and sections, and
 * `app.option.*` / `user.option.*` (per user), over real HTTP.
 */
import { describe, expect, it } from 'vitest'
import { postJson, start } from './emulator-helpers.js'

describe('app storage (entity.*, app.option.*, user.option.*)', () => {
  it('keeps storages, their properties and their items, and drops the items with the storage', async () => {
    const emu = await start()
    const call = (method: string, params: object) => postJson(`${emu.webhookUrl}${method}`, params)

    expect((await call('entity.add', { ENTITY: 'menu', NAME: 'Menu', ACCESS: { AU: 'R' } })).json.result).toBe(true)
    const again = await call('entity.add', { ENTITY: 'menu', NAME: 'Menu' })
    expect([again.status, again.json.error]).toEqual([400, 'ERROR_ENTITY_ALREADY_EXISTS'])
    expect((await call('entity.add', { NAME: 'No code' })).json.error).toBe('ERROR_ARGUMENT')
    expect((await call('entity.get', { ENTITY: 'menu' })).json.result).toEqual({
      ID: '1',
      IBLOCK_TYPE_ID: 'rest_entity',
      ENTITY: 'menu',
      NAME: 'Menu',
    })
    expect((await call('entity.rights', { ENTITY: 'menu' })).json.result).toEqual({ AU: 'R', U1: 'X' })

    expect(
      (await call('entity.item.property.add', { ENTITY: 'menu', PROPERTY: 'price', NAME: 'Price', TYPE: 'N' })).json
        .result,
    ).toBe(true)
    await call('entity.item.property.update', { ENTITY: 'menu', PROPERTY: 'price', SORT: 10 })
    expect((await call('entity.item.property.get', { ENTITY: 'menu' })).json.result).toEqual([
      { PROPERTY: 'price', NAME: 'Price', TYPE: 'N', SORT: '10' },
    ])

    const soup = (await call('entity.item.add', { ENTITY: 'menu', NAME: 'Soup', PROPERTY_VALUES: { price: 5 } })).json
      .result
    const tea = (await call('entity.item.add', { ENTITY: 'menu', NAME: 'Tea', PROPERTY_VALUES: { price: 2 } })).json
      .result
    const listed = await call('entity.item.get', { ENTITY: 'menu', FILTER: { '%NAME': 'ea' }, SORT: { ID: 'DESC' } })
    expect(listed.json.result.map((row: { ID: string; NAME: string }) => [row.ID, row.NAME])).toEqual([
      [String(tea), 'Tea'],
    ])
    expect(listed.json.result[0].PROPERTY_VALUES).toEqual({ price: '2' })
    await call('entity.item.update', { ENTITY: 'menu', ID: soup, NAME: 'Hot soup' })
    const both = await call('entity.item.get', { ENTITY: 'menu', SORT: { NAME: 'ASC' } })
    expect(both.json.result.map((row: { NAME: string }) => row.NAME)).toEqual(['Hot soup', 'Tea'])
    expect(both.json.total).toBe(2)

    expect((await call('entity.delete', { ENTITY: 'menu' })).json.result).toBe(true)
    expect((await call('entity.get', { ENTITY: 'menu' })).json.error).toBe('ERROR_ENTITY_NOT_FOUND')
    await call('entity.add', { ENTITY: 'menu', NAME: 'Menu again' })
    expect((await call('entity.item.get', { ENTITY: 'menu' })).json.result).toEqual([])
  })

  it('keeps application options for everyone and user options per user', async () => {
    const emu = await start()
    const other = emu.createWebhook({ userId: 2 })
    const as = (url: string) => (method: string, params: object) => postJson(`${url}${method}`, params)
    const admin = as(emu.webhookUrl)
    const user2 = as(other.url)

    expect((await admin('app.option.set', { options: { theme: 'dark', limit: 10 } })).json.result).toBe(true)
    expect((await user2('app.option.get', {})).json.result).toEqual({ theme: 'dark', limit: 10 })
    expect((await user2('app.option.get', { option: 'theme' })).json.result).toBe('dark')
    expect((await admin('app.option.set', {})).json.error).toBe('ERROR_ARGUMENT')
    expect((await admin('app.option.set', { options: [] })).json.result).toBe(true)

    await admin('user.option.set', { options: { lang: 'en' } })
    await user2('user.option.set', { options: { lang: 'de' } })
    expect((await admin('user.option.get', { option: 'lang' })).json.result).toBe('en')
    expect((await user2('user.option.get', {})).json.result).toEqual({ lang: 'de' })
  })
})

describe('notifications (im.notify.*)', () => {
  it('delivers notifications to their recipient, marks them read and deletes them by tag', async () => {
    const emu = await start()
    const recipient = emu.createWebhook({ userId: 2 })
    const admin = (method: string, params: object) => postJson(`${emu.webhookUrl}${method}`, params)
    const user2 = (method: string, params: object) => postJson(`${recipient.url}${method}`, params)

    const first = (await admin('im.notify.system.add', { USER_ID: 2, MESSAGE: 'Build done', TAG: 'build' })).json.result
    const second = (await admin('im.notify.personal.add', { USER_ID: 2, MESSAGE: 'Hi' })).json.result
    expect([typeof first, second]).toEqual(['number', first + 1])
    expect((await admin('im.notify.personal.add', { USER_ID: 2, MESSAGE: '' })).json.error).toBe('MESSAGE_EMPTY')

    const inbox = (await user2('im.notify.get', {})).json.result
    expect(inbox).toMatchObject({ total_count: 2, total_unread_count: 2 })
    expect(inbox.notifications.map((n: { id: number; text: string }) => [n.id, n.text])).toEqual([
      [second, 'Hi'],
      [first, 'Build done'],
    ])
    expect((await admin('im.notify.get', {})).json.result.total_count).toBe(0)

    await user2('im.notify.read.list', { IDS: [first] })
    expect((await user2('im.notify.get', {})).json.result.total_unread_count).toBe(1)
    expect((await user2('im.notify.read.all', {})).json.result).toEqual({ result: true, newCounter: 0 })
    expect((await user2('im.notify.get', {})).json.result.total_unread_count).toBe(0)
    await admin('im.notify.delete', { TAG: 'build' })
    const left = (await user2('im.notify.get', {})).json.result
    expect(left.notifications.map((n: { id: number }) => n.id)).toEqual([second])
  })
})

describe('disk folders and files (disk.*)', () => {
  it('keeps a tree of folders and files in the caller’s storage', async () => {
    const emu = await start()
    const call = async (method: string, params: object) => (await postJson(`${emu.webhookUrl}${method}`, params)).json

    const [storage] = (await call('disk.storage.getList', {})).result
    expect(storage).toMatchObject({ ID: '1', ENTITY_TYPE: 'user', ENTITY_ID: '1', MODULE_ID: 'disk' })
    const folder = (await call('disk.storage.addFolder', { id: storage.ID, data: { NAME: 'Reports' } })).result
    expect(folder).toMatchObject({ NAME: 'Reports', TYPE: 'folder', PARENT_ID: storage.ROOT_OBJECT_ID })
    const sub = (await call('disk.folder.addSubFolder', { id: folder.ID, data: { NAME: '2025' } })).result
    const file = (
      await call('disk.folder.uploadFile', {
        id: sub.ID,
        data: { NAME: 'q1.txt' },
        fileContent: ['ignored.txt', Buffer.from('hello').toString('base64')],
      })
    ).result
    expect(file).toMatchObject({ NAME: 'q1.txt', TYPE: 'file', SIZE: '5', PARENT_ID: sub.ID })
    expect((await call('disk.file.get', { id: file.ID })).result).toEqual(file)
    expect((await call('disk.file.rename', { id: file.ID, newName: 'Q1.txt' })).result.NAME).toBe('Q1.txt')
    expect((await call('disk.folder.getChildren', { id: sub.ID })).result.map((o: { NAME: string }) => o.NAME)).toEqual(
      ['Q1.txt'],
    )
    expect(
      (await call('disk.storage.getChildren', { id: storage.ID })).result.map((o: { ID: string }) => o.ID),
    ).toEqual([folder.ID])
    expect((await call('disk.folder.addSubFolder', { id: folder.ID, data: {} })).error).toBe('ERROR_ARGUMENT')

    expect((await call('disk.folder.deleteTree', { id: folder.ID })).result).toBe(true)
    expect((await call('disk.file.get', { id: file.ID })).error).toBe('ERROR_NOT_FOUND')
    expect((await call('disk.folder.get', { id: sub.ID })).error).toBe('ERROR_NOT_FOUND')
    expect((await call('disk.storage.getChildren', { id: storage.ID })).result).toEqual([])
  })
})
