import { describe, expect, it } from 'vitest'
import { BitrixValidationError } from '../../src/errors/index.js'
import { type FieldSpec, portalUtcOffset, ValueConverter } from '../../src/index.js'

function field(name: string, type: string, extra: Partial<FieldSpec> = {}): FieldSpec {
  return { name, type, multiple: false, readOnly: false, dynamic: name.startsWith('UF_'), title: name, ...extra }
}

const FIELDS: FieldSpec[] = [
  field('ID', 'integer', { readOnly: true }),
  field('CLOSED', 'char'),
  field('OPPORTUNITY', 'double'),
  field('ASSIGNED_BY_ID', 'user'),
  field('BEGINDATE', 'date'),
  field('DATE_CREATE', 'datetime'),
  field('UF_CRM_FLAG', 'boolean'),
  field('UF_CRM_COLOR', 'enumeration', { items: [{ id: '7', label: 'Red' }] }),
  field('UF_CRM_SIZES', 'integer', { multiple: true }),
  field('TITLE', 'string'),
]

const moscow = new ValueConverter(FIELDS, { utcOffsetMinutes: 180, entity: 'crm.deal' })

describe('ValueConverter', () => {
  it('reads wire values as native ones and writes them back unchanged (lossless round trip)', () => {
    const wire = {
      ID: '42',
      CLOSED: 'Y',
      OPPORTUNITY: '12345678901234567.89',
      ASSIGNED_BY_ID: '1',
      BEGINDATE: '2026-12-02',
      DATE_CREATE: '2026-12-01T23:30:05+03:00',
      UF_CRM_FLAG: '0',
      UF_CRM_COLOR: '7',
      UF_CRM_SIZES: ['3', '4'],
      TITLE: 'Y',
      UNDESCRIBED: 'as is',
    }
    const native = moscow.toNative(wire)
    expect(native).toEqual({
      ID: 42,
      CLOSED: true,
      OPPORTUNITY: '12345678901234567.89', // decimals stay exact text
      ASSIGNED_BY_ID: 1,
      BEGINDATE: new Date('2026-12-01T21:00:00Z'), // midnight in the portal's zone
      DATE_CREATE: new Date('2026-12-01T20:30:05Z'),
      UF_CRM_FLAG: false,
      UF_CRM_COLOR: 7,
      UF_CRM_SIZES: [3, 4],
      TITLE: 'Y', // a string field is never read as a flag
      UNDESCRIBED: 'as is',
    })
    expect(moscow.toWire(native)).toEqual({
      ID: 42,
      CLOSED: 'Y',
      OPPORTUNITY: '12345678901234567.89',
      ASSIGNED_BY_ID: 1,
      BEGINDATE: '2026-12-02',
      DATE_CREATE: '2026-12-01T23:30:05+03:00',
      UF_CRM_FLAG: 0,
      UF_CRM_COLOR: 7,
      UF_CRM_SIZES: [3, 4],
      TITLE: 'Y',
      UNDESCRIBED: 'as is',
    })
  })

  it('writes dates in the portal time zone, whatever the zone of the process', () => {
    const west = new ValueConverter(FIELDS, { utcOffsetMinutes: -300 })
    const instant = new Date('2026-12-02T03:00:00Z')
    expect(west.toWire({ BEGINDATE: instant, DATE_CREATE: instant })).toEqual({
      BEGINDATE: '2026-12-01',
      DATE_CREATE: '2026-12-01T22:00:00-05:00',
    })
    expect(moscow.toWire({ BEGINDATE: instant })).toEqual({ BEGINDATE: '2026-12-02' })
  })

  it('reads empty values as null and empty multiple fields as []', () => {
    expect(
      moscow.toNative({ CLOSED: '', ID: null, BEGINDATE: '', UF_CRM_SIZES: false as never, UF_CRM_FLAG: null }),
    ).toEqual({
      CLOSED: null,
      ID: null,
      BEGINDATE: null,
      UF_CRM_SIZES: [],
      UF_CRM_FLAG: null,
    })
  })

  it('refuses what it cannot convert without loss, naming the entity and the field', () => {
    const tooBig = () => moscow.toNative({ ASSIGNED_BY_ID: '9007199254740993' })
    expect(tooBig).toThrow(BitrixValidationError)
    expect(tooBig).toThrow(/crm\.deal.*ASSIGNED_BY_ID.*integer within ±2\^53/)
    expect(() => moscow.toNative({ CLOSED: 'maybe' })).toThrow(/CLOSED.*"Y" or "N"/)
    expect(() => moscow.toWire({ ASSIGNED_BY_ID: 1.5 })).toThrow(/ASSIGNED_BY_ID/)
    expect(() => moscow.toWire({ DATE_CREATE: new Date(Number.NaN) })).toThrow(/DATE_CREATE.*valid Date/)
    expect(() => moscow.toNative({ DATE_CREATE: 'yesterday' })).toThrow(/DATE_CREATE.*ISO 8601/)
    expect(() => new ValueConverter(FIELDS, { utcOffsetMinutes: 1000 })).toThrow(/utcOffsetMinutes/)
  })

  it('builds from a *.fields answer, legacy or crm.item', () => {
    const legacy = ValueConverter.fromDescription(
      { OPENED: { type: 'char', isMultiple: false, isReadOnly: false, isDynamic: false, title: 'Open' } },
      { utcOffsetMinutes: 0 },
    )
    expect(legacy.toNative({ OPENED: 'N' })).toEqual({ OPENED: false })
    const item = ValueConverter.fromDescription(
      {
        fields: {
          opened: { type: 'boolean', isDynamic: false },
          ufCrm5Ok: { type: 'boolean', upperName: 'UF_CRM_5_OK' },
        },
      },
      { utcOffsetMinutes: 0 },
    )
    expect(item.toNative({ opened: 'Y', ufCrm5Ok: 'N' })).toEqual({ opened: true, ufCrm5Ok: false })
    expect(item.toWire({ opened: false, ufCrm5Ok: true })).toEqual({ opened: 'N', ufCrm5Ok: 1 })
  })

  it('reads the portal offset from a time it wrote', () => {
    expect(portalUtcOffset('2026-12-02T10:00:00+03:00')).toBe(180)
    expect(portalUtcOffset('2026-12-02T10:00:00-04:30')).toBe(-270)
    expect(portalUtcOffset('2026-12-02T10:00:00Z')).toBe(0)
    expect(() => portalUtcOffset('2026-12-02 10:00')).toThrow(BitrixValidationError)
  })
})
