import { z } from 'zod'
import type { Catalog } from '../runtime/records.ts'
import type { Component } from '../runtime/types.ts'
import { idOf, recordService } from './records/common.ts'
import { expr, variablePath } from './schema.ts'

const config = z.object({ catalogId: expr, saveTo: variablePath }).strict()
export type CatalogStructureConfig = z.infer<typeof config>

/**
 * Структура каталога (`bpiumGetCatalog`): the catalog's description in Bpium's output shape —
 * `fields` keyed by field id, each field's `config.items` keyed by item id — so code written for
 * Bpium (`_.find(catalog.fields, f => f.name == key)`, `field.config.items[id]`) runs unchanged.
 */
export const catalogStructure: Component<CatalogStructureConfig> = {
  type: 'catalogStructure',
  displayName: { ru: 'Структура каталога', en: 'Catalog structure' },
  kind: 'async',
  config,
  expressions: (c) => [{ path: ['catalogId'], source: c.catalogId }],
  run: async (ctx) => {
    const catalog = await recordService(ctx, 'getCatalog')(idOf(ctx.evaluate(ctx.config.catalogId), 'catalogId'))
    return [{ path: ctx.config.saveTo, value: bpiumShape(catalog) }]
  },
}

export function bpiumShape(catalog: Catalog) {
  const fields: Record<string, unknown> = {}
  for (const field of catalog.fields) {
    const items = field.config?.items
    const config = Array.isArray(items) ? { ...field.config, items: Object.fromEntries((items as Array<{ id: string }>).map((item) => [item.id, item])) } : (field.config ?? {})
    fields[field.id] = { ...field, config }
  }
  return { id: catalog.id, name: catalog.name, ...(catalog.icon ? { icon: catalog.icon } : {}), fields }
}
