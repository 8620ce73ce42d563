/**
 * The component registry as the server describes it (`GET /api/v1/components`): what the
 * palette lists and what the settings forms are generated from. Loaded once per page load.
 */
import { useEffect, useState } from 'react'
import { api } from '../api.ts'

export type ComponentGroup = 'system' | 'actions' | 'data' | 'communications'
export const GROUPS: ComponentGroup[] = ['system', 'actions', 'data', 'communications']

export interface JsonSchema {
  type?: string | string[]
  properties?: Record<string, JsonSchema>
  required?: string[]
  items?: JsonSchema
  enum?: unknown[]
  const?: unknown
  anyOf?: JsonSchema[]
  oneOf?: JsonSchema[]
  default?: unknown
  format?: string
  description?: string
  minimum?: number
  maximum?: number
  minLength?: number
  minItems?: number
  pattern?: string
  additionalProperties?: boolean | JsonSchema
}

export interface ComponentInfo {
  type: string
  displayName: { ru: string; en: string }
  kind: 'control' | 'sync' | 'async' | 'boundary'
  group: ComponentGroup
  configSchema: JsonSchema
}

let loading: Promise<ComponentInfo[]> | null = null

export function loadComponents(): Promise<ComponentInfo[]> {
  loading ??= api.get<{ items: ComponentInfo[] }>('/api/v1/components').then(
    (page) => page.items,
    (error) => {
      loading = null
      throw error
    },
  )
  return loading
}

export function useComponents(): { components: ComponentInfo[] | null; error: unknown } {
  const [components, setComponents] = useState<ComponentInfo[] | null>(null)
  const [error, setError] = useState<unknown>(null)
  useEffect(() => {
    let live = true
    loadComponents().then(
      (list) => live && setComponents(list),
      (e) => live && setError(e),
    )
    return () => {
      live = false
    }
  }, [])
  return { components, error }
}
