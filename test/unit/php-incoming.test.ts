/**
 * Incoming event bodies are read with the same PHP codec as the emulator's: what a PHP app's `$_POST` would
 * hold is what `parseEvent` gives (issue 8: `a[5]=x&a[]=y` was `{1:y,5:x}` in the SDK, `a.b` stayed `a.b`).
 */
import { describe, expect, it } from 'vitest'
import { parseQuery } from '../../src/http/php-query.js'
import { parseEvent } from '../../src/index.js'

const AUTH = 'auth[domain]=x.bitrix24.com&auth[member_id]=m1&auth[application_token]=app-token'

describe('event bodies as PHP reads them', () => {
  it('appends after the highest integer key and turns dots and spaces in names into underscores', () => {
    const event = parseEvent(
      `event=ONCRMDEALUPDATE&${AUTH}&data[FIELDS][PHONE][5]=x&data[FIELDS][PHONE][]=y&data.extra=1&data+more=2`,
    )
    expect(event.data).toEqual({ FIELDS: { PHONE: { 5: 'x', 6: 'y' } } })
    const whole = parseQuery('data.extra=1&data more=2&a[5]=x&a[]=y')
    expect(whole).toEqual({ data_extra: '1', data_more: '2', a: { 5: 'x', 6: 'y' } })
  })

  it('keeps lists only when PHP would (keys 0..n-1 in order)', () => {
    expect(parseQuery('a[1]=x&a[0]=y').a).toEqual({ 0: 'y', 1: 'x' })
    expect(parseQuery('a[]=x&a[]=y').a).toEqual(['x', 'y'])
    expect(parseQuery('a[0]=x&a[2]=y').a).toEqual({ 0: 'x', 2: 'y' })
  })

  it('reads the same from a URLSearchParams as from the raw text', () => {
    const text = `event=ONAPPTEST&${AUTH}&data[LIST][]=a b&data[LIST][]=é&data[MAP][x.y]=1`
    const fromText = parseEvent(text)
    const fromParams = parseEvent(new URLSearchParams(text))
    expect(fromParams.data).toEqual(fromText.data)
    expect(fromText.data).toEqual({ LIST: ['a b', 'é'], MAP: { 'x.y': '1' } })
  })
})
