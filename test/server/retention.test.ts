import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { openStore } from '../../store/index.ts'
import type { ProcessStatus } from '../../runtime/types.ts'
import { pruneOldProcesses } from '../../server/retention.ts'

test('retention prunes finished processes older than the retention days, never queued or running ones', async () => {
  const store = await openStore({ dataDir: mkdtempSync(join(tmpdir(), 'potok-retention-')), mongodbUri: '' })
  const now = Date.parse('2026-11-28T12:00:00Z')
  const old = new Date(now - 40 * 86_400_000).toISOString()
  const recent = new Date(now - 5 * 86_400_000).toISOString()
  const statuses: ProcessStatus[] = ['queued', 'running', 'completed', 'failed', 'interrupted', 'cancelled']
  for (const status of statuses) {
    for (const [age, startedAt] of [
      ['old', old],
      ['recent', recent],
    ]) {
      await store.recordProcess({ id: `${age}-${status}`, scenario: { id: 's', version: 1 }, trigger: { type: '$webRequest', id: 'w', async: true }, status, input: {}, startedAt }, [])
    }
  }
  expect(await pruneOldProcesses(store, 30, now)).toBe(4)
  const left = (await store.listProcesses({ limit: 100 })).items.map((p) => p.id).sort()
  expect(left).toEqual(['old-queued', 'old-running', ...statuses.map((s) => `recent-${s}`)].sort())
  await store.close()
})
