/**
 * The tables that hold what runs (jobs, live processes, pending calls) instead of long-lived
 * Maps: a handle finds its entry until the entry is deleted, never another entry after.
 */
import { describe, expect, test } from 'vitest'
import { HandleTable, KeyedTable } from '../../runtime/handle-table.ts'

describe('HandleTable', () => {
  test('finds each entry by its handle until it is deleted', () => {
    const table = new HandleTable<string>()
    const a = table.add('a')
    const b = table.add('b')
    expect(a).not.toBe(b)
    expect(a).not.toBe(0)
    expect(table.get(a)).toBe('a')
    expect(table.get(b)).toBe('b')
    expect(table.size).toBe(2)
    expect(table.delete(a)).toBe(true)
    expect(table.get(a)).toBeUndefined()
    expect(table.delete(a)).toBe(false)
    expect(table.size).toBe(1)
    expect([...table.values()]).toEqual(['b'])
  })

  test('a stale handle finds nothing once its slot holds a new entry', () => {
    const table = new HandleTable<string>()
    const old = table.add('old')
    table.delete(old)
    const reused = table.add('new')
    expect(reused).not.toBe(old)
    expect(table.get(old)).toBeUndefined()
    expect(table.delete(old)).toBe(false)
    expect(table.get(reused)).toBe('new')
  })

  test('0 and unknown handles find nothing', () => {
    const table = new HandleTable<number>()
    table.add(1)
    expect(table.get(0)).toBeUndefined()
    expect(table.delete(0)).toBe(false)
    expect(table.get(12345)).toBeUndefined()
  })

  test('keeps many entries through churn', () => {
    const table = new HandleTable<number>()
    const live = new Map<number, number>()
    for (let i = 0; i < 5000; i++) {
      live.set(table.add(i), i)
      if (i % 3 === 0) {
        const [handle] = live.keys()
        table.delete(handle!)
        live.delete(handle!)
      }
    }
    expect(table.size).toBe(live.size)
    for (const [handle, value] of live) expect(table.get(handle)).toBe(value)
    expect([...table.values()].sort((x, y) => x - y)).toEqual([...live.values()].sort((x, y) => x - y))
  })
})

describe('KeyedTable', () => {
  test('behaves as a Map for get, has, set, delete, size, keys and values', () => {
    const table = new KeyedTable<string, number>()
    table.set('a', 1).set('b', 2)
    expect(table.get('a')).toBe(1)
    expect(table.has('b')).toBe(true)
    expect(table.size).toBe(2)
    table.set('a', 3)
    expect(table.get('a')).toBe(3)
    expect(table.size).toBe(2)
    expect([...table.keys()].sort()).toEqual(['a', 'b'])
    expect([...table.values()].sort()).toEqual([2, 3])
    expect(table.delete('a')).toBe(true)
    expect(table.delete('a')).toBe(false)
    expect(table.get('a')).toBeUndefined()
    expect(table.has('a')).toBe(false)
    expect(table.size).toBe(1)
  })
})
