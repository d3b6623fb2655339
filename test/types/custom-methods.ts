// A self-hosted portal's own REST method, typed by the caller through module augmentation of `MethodMap`: the
// project's type-check (npm test → tsc) compiles this file, so a regression in the augmentation fails the build.
import { BitrixWebhook, Client, type MethodParams, type MethodResult } from 'b24tssdk'

declare module 'b24tssdk' {
  interface MethodMap {
    'acme.invoice.get': { params: { id: number }; result: { id: number; total: string } }
  }
}

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
const resultIsTyped: Equal<MethodResult<'acme.invoice.get'>, { id: number; total: string }> = true
const paramsAreTyped: Equal<MethodParams<'acme.invoice.get'>, { id: number }> = true

export async function customMethod(): Promise<string> {
  const client = new Client(BitrixWebhook.fromUrl('https://example.bitrix24.com/rest/1/key/'))
  const answer = await client.call('acme.invoice.get', { id: 7 })
  return resultIsTyped && paramsAreTyped ? answer.result.total : ''
}
