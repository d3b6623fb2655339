/**
 * Disk folders and files served with state: each user's storage (created when first used), folders and files in
 * a tree of objects with IDs, children lists, renames, deletions (a folder with its subtree) and uploads: one step
 * with `fileContent: [name, base64]`, or two (without it the method answers an `uploadUrl` and the form `field`,
 * and the file is posted there as multipart; server/disk-transfer.ts). The bytes are kept in the `FileVault` and
 * served at the signed `DOWNLOAD_URL`. Values travel as strings, as `disk.*.get` documents them.
 */
import { type CallContext, type MethodDefinition, type Params, RestError } from '../../kernel.js'
import type { FileVault } from '../disk-vault.js'
import type { PortalEnv } from '../env.js'
import { formatIso, isRecord, pickParam, positiveId, toList } from '../util.js'
import { baseCostMethods } from './base-cost.js'

interface DiskObject {
  id: number
  storageId: number
  type: 'folder' | 'file'
  name: string
  parentId: number | null
  created: number
  updated: number
  createdBy: number
  updatedBy: number
  size: number
  fileId: number
}

interface Storage {
  id: number
  userId: number
  rootId: number
}

function notFound(id: unknown): RestError {
  return new RestError('ERROR_NOT_FOUND', `Could not find entity with id '${String(id)}'`, 400)
}

function argument(index: number): RestError {
  return new RestError('ERROR_ARGUMENT', `Invalid value of parameter {Parameter #${index}}`, 400)
}

export function diskMethods(env: PortalEnv, vault: FileVault): Record<string, MethodDefinition> {
  const storages = new Map<number, Storage>()
  const objects = new Map<number, DiskObject>()
  let nextObjectId = 1

  const charged = baseCostMethods(env)
  const method = (handler: MethodDefinition['handler']): MethodDefinition => charged('disk', handler)
  const now = (ctx: CallContext) => Math.floor(ctx.now())
  const create = (
    ctx: CallContext,
    fields: Omit<DiskObject, 'id' | 'created' | 'updated' | 'createdBy' | 'updatedBy'>,
  ) => {
    const object: DiskObject = {
      ...fields,
      id: nextObjectId++,
      created: now(ctx),
      updated: now(ctx),
      createdBy: ctx.userId,
      updatedBy: ctx.userId,
    }
    objects.set(object.id, object)
    return object
  }
  /** The caller's storage, created with its root folder on first use. */
  const ownStorage = (ctx: CallContext): Storage => {
    let storage = storages.get(ctx.userId)
    if (!storage) {
      const id = ctx.userId
      const root = create(ctx, { storageId: id, type: 'folder', name: '', parentId: null, size: 0, fileId: 0 })
      storage = { id, userId: ctx.userId, rootId: root.id }
      storages.set(id, storage)
    }
    return storage
  }
  const storageRow = (s: Storage) => ({
    ID: String(s.id),
    NAME: `User storage ${s.userId}`,
    CODE: null,
    MODULE_ID: 'disk',
    ENTITY_TYPE: 'user',
    ENTITY_ID: String(s.userId),
    ROOT_OBJECT_ID: String(s.rootId),
  })
  const path = (o: DiskObject): string => {
    const names: string[] = []
    for (let at: DiskObject | undefined = o; at && at.parentId !== null; at = objects.get(at.parentId)) {
      names.unshift(at.name)
    }
    return names.join('/')
  }
  const row = (o: DiskObject) => {
    const base = {
      ID: String(o.id),
      NAME: o.name,
      CODE: null,
      STORAGE_ID: String(o.storageId),
      TYPE: o.type,
      ...(o.type === 'folder' ? { REAL_OBJECT_ID: String(o.id) } : {}),
      PARENT_ID: o.parentId === null ? null : String(o.parentId),
      DELETED_TYPE: '0',
      ...(o.type === 'file' ? { GLOBAL_CONTENT_VERSION: '1', FILE_ID: String(o.fileId), SIZE: String(o.size) } : {}),
      CREATE_TIME: formatIso(o.created, env.tz),
      UPDATE_TIME: formatIso(o.updated, env.tz),
      DELETE_TIME: null,
      CREATED_BY: String(o.createdBy),
      UPDATED_BY: String(o.updatedBy),
      DELETED_BY: '0',
    }
    const detail = `/company/personal/user/${o.createdBy}/disk/path/${path(o)}`
    return o.type === 'file'
      ? { ...base, DOWNLOAD_URL: downloadUrl(o), DETAIL_URL: detail }
      : { ...base, DETAIL_URL: detail }
  }
  const idOf = (params: Params): number => {
    const id = positiveId(pickParam(params, 'id', 'ID'))
    if (id === null) throw argument(0)
    return id
  }
  const objectOf = (params: Params, type: DiskObject['type']): DiskObject => {
    const id = idOf(params)
    const object = objects.get(id)
    if (!object || object.type !== type) throw notFound(id)
    return object
  }
  const storageOf = (params: Params, ctx: CallContext): Storage => {
    ownStorage(ctx)
    const id = idOf(params)
    const storage = storages.get(id)
    if (!storage) throw notFound(id)
    return storage
  }
  const nameIn = (params: Params): string => {
    const data = pickParam(params, 'data', 'DATA')
    const name = isRecord(data) ? data.NAME : undefined
    if (typeof name !== 'string' || name.trim() === '') throw argument(1)
    return name.trim()
  }
  const children = (parentId: number) =>
    [...objects.values()]
      .filter((o) => o.parentId === parentId)
      .sort((a, b) => a.id - b.id)
      .map(row)
  const addFolder = (ctx: CallContext, parent: DiskObject, params: Params) =>
    row(
      create(ctx, {
        storageId: parent.storageId,
        type: 'folder',
        name: nameIn(params),
        parentId: parent.id,
        size: 0,
        fileId: 0,
      }),
    )
  const downloadUrl = (o: DiskObject): string | null => {
    const stored = vault.get(o.fileId)
    return stored ? vault.downloadUrl(stored, 'disk') : null
  }
  /** `name (1).ext`, `name (2).ext`, … until no sibling has the name. */
  const uniqueName = (parentId: number, name: string): string => {
    const taken = new Set([...objects.values()].filter((o) => o.parentId === parentId).map((o) => o.name))
    const dot = name.lastIndexOf('.')
    const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, '']
    let candidate = name
    for (let n = 1; taken.has(candidate); n += 1) candidate = `${stem} (${n})${ext}`
    return candidate
  }
  const addFile = (userId: number, at: number, parent: DiskObject, name: string, unique: boolean, fileId: number) => {
    const object: DiskObject = {
      id: nextObjectId++,
      storageId: parent.storageId,
      type: 'file',
      name: unique ? uniqueName(parent.id, name) : name,
      parentId: parent.id,
      size: vault.get(fileId)?.size ?? 0,
      fileId,
      created: at,
      updated: at,
      createdBy: userId,
      updatedBy: userId,
    }
    objects.set(object.id, object)
    return row(object)
  }
  vault.completeUpload = (slot, file) => {
    const parent = objects.get(slot.folderId)
    if (parent?.type !== 'folder') {
      vault.remove(file.id)
      throw notFound(slot.folderId)
    }
    return addFile(slot.userId, Math.floor(Date.now() / 1000), parent, file.name, slot.unique, file.id)
  }
  const upload = (ctx: CallContext, parent: DiskObject, params: Params) => {
    const unique = ['true', '1', 'Y', 'y'].includes(String(pickParam(params, 'generateUniqueName') ?? ''))
    const raw = pickParam(params, 'fileContent')
    if (raw === undefined || raw === null || raw === '') {
      const token = vault.sign('disk', `upload|${parent.id}|${ctx.userId}|${unique ? 1 : 0}`)
      return { field: 'file', uploadUrl: `${vault.origin()}/rest/upload.json?token=${encodeURIComponent(token)}` }
    }
    const content = toList(raw)
    const fromData = isRecord(pickParam(params, 'data'))
      ? (pickParam(params, 'data') as Record<string, unknown>).NAME
      : undefined
    const name = typeof fromData === 'string' && fromData !== '' ? fromData : String(content[0] ?? '')
    if (name === '') throw argument(1)
    const bytes = typeof content[1] === 'string' ? Buffer.from(content[1], 'base64') : Buffer.alloc(0)
    const stored = vault.putBytes(name, bytes, 'disk')
    return addFile(ctx.userId, now(ctx), parent, name, unique, stored.id)
  }
  const rename = (ctx: CallContext, object: DiskObject, params: Params) => {
    const name = pickParam(params, 'newName')
    if (typeof name !== 'string' || name.trim() === '') throw argument(1)
    object.name = name.trim()
    object.updated = now(ctx)
    object.updatedBy = ctx.userId
    return row(object)
  }
  const removeTree = (id: number): void => {
    for (const child of [...objects.values()]) if (child.parentId === id) removeTree(child.id)
    const object = objects.get(id)
    if (object?.type === 'file') vault.remove(object.fileId)
    objects.delete(id)
  }

  return {
    'disk.storage.getlist': method((_params, ctx) => {
      ownStorage(ctx)
      const list = [...storages.values()].map(storageRow)
      return { result: list, total: list.length }
    }),
    'disk.storage.get': method((params, ctx) => ({ result: storageRow(storageOf(params, ctx)) })),
    'disk.storage.getchildren': method((params, ctx) => ({ result: children(storageOf(params, ctx).rootId) })),
    'disk.storage.addfolder': method((params, ctx) => {
      const root = objects.get(storageOf(params, ctx).rootId) as DiskObject
      return { result: addFolder(ctx, root, params) }
    }),
    'disk.storage.uploadfile': method((params, ctx) => {
      const root = objects.get(storageOf(params, ctx).rootId) as DiskObject
      return { result: upload(ctx, root, params) }
    }),
    'disk.folder.get': method((params) => ({ result: row(objectOf(params, 'folder')) })),
    'disk.folder.getchildren': method((params) => ({ result: children(objectOf(params, 'folder').id) })),
    'disk.folder.addsubfolder': method((params, ctx) => ({
      result: addFolder(ctx, objectOf(params, 'folder'), params),
    })),
    'disk.folder.uploadfile': method((params, ctx) => ({ result: upload(ctx, objectOf(params, 'folder'), params) })),
    'disk.folder.rename': method((params, ctx) => ({ result: rename(ctx, objectOf(params, 'folder'), params) })),
    'disk.folder.deletetree': method((params) => {
      removeTree(objectOf(params, 'folder').id)
      return { result: true }
    }),
    'disk.file.get': method((params) => ({ result: row(objectOf(params, 'file')) })),
    'disk.file.rename': method((params, ctx) => ({ result: rename(ctx, objectOf(params, 'file'), params) })),
    'disk.file.delete': method((params) => {
      removeTree(objectOf(params, 'file').id)
      return { result: true }
    }),
  }
}
