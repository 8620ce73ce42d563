/**
 * `FLOWS_DIR/connections/*.json` (docs/connections.md): each file holds one connection or a list of them,
 * in the API's shape, with an `id`. All are validated first (one bad file stops the start, every
 * problem listed), then upserted. Secrets in files should be `{ "env": "NAME" }`; an inline one
 * is sealed under POTOK_SECRET_KEY like one sent to the API.
 */
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { PotokError } from '../../runtime/index.ts'
import type { FlowProblem } from '../flows.ts'
import type { Connections, PublicConnection } from './connections.ts'
import { parseConnectionInput, type ConnectionInput } from './schema.ts'

export async function readConnectionFiles(flowsDir: string): Promise<Array<ConnectionInput & { id: string; file: string }>> {
  const dir = join(flowsDir, 'connections')
  let names: string[]
  try {
    names = (await readdir(dir)).filter((name) => name.endsWith('.json')).sort()
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw error
  }
  const problems: FlowProblem[] = []
  const found = new Map<string, string>()
  const inputs: Array<ConnectionInput & { id: string; file: string }> = []
  for (const name of names) {
    const file = join(dir, name)
    let json: unknown
    try {
      json = JSON.parse(await readFile(file, 'utf8'))
    } catch (error) {
      problems.push({ file, path: '(root)', message: `not valid JSON: ${(error as Error).message}` })
      continue
    }
    const entries = Array.isArray(json) ? json : [json]
    entries.forEach((entry, index) => {
      const at = Array.isArray(json) ? [index] : []
      try {
        const input = parseConnectionInput(entry, at)
        if (!input.id) throw new PotokError('VALIDATION_FAILED', 'invalid', { details: { problems: [{ path: [...at, 'id'].join('.') || 'id', message: 'a declared connection needs an id' }] } })
        const other = found.get(input.id)
        if (other) problems.push({ file, path: 'id', message: `connection id "${input.id}" is also declared in ${other}` })
        found.set(input.id, file)
        inputs.push({ ...(input as ConnectionInput & { id: string }), file })
      } catch (error) {
        const listed = (error as PotokError).details?.problems as Array<{ path: string; message: string }> | undefined
        problems.push(...(listed ?? [{ path: '(root)', message: (error as Error).message }]).map((p) => ({ file, ...p })))
      }
    })
  }
  if (problems.length) {
    throw new PotokError('INVALID_FLOWS', `invalid connection files in ${dir}:\n${problems.map((p) => `${p.file}: ${p.path}: ${p.message}`).join('\n')}`, { details: { problems } })
  }
  return inputs
}

/** Reads, validates and upserts the declared connections; returns them as the API shows them. */
export async function loadConnectionFiles(connections: Connections, flowsDir: string): Promise<PublicConnection[]> {
  const loaded: PublicConnection[] = []
  for (const { file, ...input } of await readConnectionFiles(flowsDir)) {
    try {
      loaded.push(await connections.upsert(input))
    } catch (error) {
      // An inline secret without POTOK_SECRET_KEY, a "***" with nothing stored: say which file.
      const problems = (error as PotokError).details?.problems as Array<{ path: string; message: string }> | undefined
      if (!problems) throw error
      throw new PotokError('INVALID_FLOWS', `${file}: connection "${input.id}": ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, {
        details: { problems: problems.map((p) => ({ file, ...p })) },
      })
    }
  }
  return loaded
}
