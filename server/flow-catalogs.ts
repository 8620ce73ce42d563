/**
 * Catalog files (docs/catalogs.md): every `*.json` in `FLOWS_DIR/catalogs/` declares one catalog (with
 * an `id`), which may seed records. On start all are validated — one invalid file stops the
 * start, every problem listed — then upserted: the catalog is created or replaced; a seed record
 * with an `id` is created when that record does not exist, one without an id only when the
 * catalog is new (so a restart never duplicates it, and records changed since are kept). Seeds
 * are declarations: they run no data-change events.
 *
 * @example
 * const catalogs = await loadCatalogs(store, './flows/catalogs')
 */
import { isDeepStrictEqual } from 'node:util'
import { PotokError } from '../runtime/index.ts'
import { catalogFileSchema } from '../store/catalog-schema.ts'
import type { ProcessStore } from '../store/port.ts'
import type { Catalog } from '../store/records-port.ts'
import { readJsonFiles } from './json-files.ts'

export async function loadCatalogs(store: ProcessStore, dir: string): Promise<Catalog[]> {
  const { files, problems } = await readJsonFiles(dir)
  const declared = []
  const ids = new Map<string, string>()
  for (const { file, json } of files) {
    const parsed = catalogFileSchema.safeParse(json)
    if (!parsed.success) {
      problems.push(...parsed.error.issues.map((issue) => ({ file, path: issue.path.join('.') || '(root)', message: issue.message })))
      continue
    }
    if (ids.has(parsed.data.id)) problems.push({ file, path: 'id', message: `catalog id "${parsed.data.id}" is also used by ${ids.get(parsed.data.id)}` })
    ids.set(parsed.data.id, file)
    for (const [i, event] of (parsed.data.events ?? []).entries()) {
      if (!(await store.getScenario(event.scenarioId))) problems.push({ file, path: `events.${i}.scenarioId`, message: `there is no scenario "${event.scenarioId}"` })
    }
    declared.push({ file, ...parsed.data })
  }
  if (problems.length) {
    const list = problems.map((p) => `${p.file}: ${p.path}: ${p.message}`).join('\n')
    throw new PotokError('INVALID_FLOWS', `invalid catalog files in ${dir}:\n${list}`, { details: { problems } })
  }

  const saved: Array<{ catalog: Catalog; isNew: boolean; records: (typeof declared)[number]['records']; file: string }> = []
  for (const { file, records, ...input } of declared) {
    const existing = await store.records.getCatalog(input.id)
    // Unchanged: nothing is written (a server restarts on a full disk when nothing changed).
    if (existing && sameCatalog(existing, input)) {
      saved.push({ catalog: existing, isNew: false, records, file })
      continue
    }
    try {
      saved.push({ catalog: await store.records.saveCatalog(input), isNew: !existing, records, file })
    } catch (error) {
      if (isStoreFailure(error)) throw error
      throw new PotokError('INVALID_FLOWS', `invalid catalog file ${file}: ${(error as Error).message}`)
    }
  }
  // Seeds after every catalog exists, so a seed may link to another catalog's records.
  for (const { catalog, isNew, records, file } of saved) {
    for (const [i, seed] of (records ?? []).entries()) {
      if (seed.id ? await store.records.getRecord(catalog.id, seed.id) : !isNew) continue
      try {
        await store.records.createRecord(catalog.id, seed.values, { id: seed.id })
      } catch (error) {
        // Another server starting at the same time seeded it first.
        if ((error as PotokError).code === 'RECORD_ID_TAKEN') continue
        if (isStoreFailure(error)) throw error
        throw new PotokError('INVALID_FLOWS', `invalid catalog file ${file}: records.${i}: ${(error as Error).message}`)
      }
    }
  }
  return saved.map((s) => s.catalog)
}

/** Whether the stored catalog already says what the file declares (timestamps aside). */
function sameCatalog(stored: Catalog, declared: Record<string, unknown>): boolean {
  const keys = new Set([...Object.keys(stored), ...Object.keys(declared)])
  keys.delete('createdAt')
  keys.delete('updatedAt')
  return [...keys].every((key) => isDeepStrictEqual((stored as unknown as Record<string, unknown>)[key], declared[key]))
}

/** The store refusing a write (full disk, unreachable database) is not a problem of the file. */
function isStoreFailure(error: unknown): boolean {
  return error instanceof PotokError && error.status >= 500
}
