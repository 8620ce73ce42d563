/**
 * The `*.json` files of a directory, read and parsed in name order: what FLOWS_DIR and
 * FLOWS_DIR/catalogs are made of. A file that does not parse is a problem, not an exception, so
 * a start can list every problem of every file at once.
 */
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'

export interface JsonFile {
  file: string
  json: unknown
}

/** Parsed files and the problems of those that do not parse; a missing directory has none. */
export async function readJsonFiles(dir: string): Promise<{ files: JsonFile[]; problems: Array<{ file: string; path: string; message: string }> }> {
  let names: string[]
  try {
    names = (await readdir(dir)).filter((name) => name.endsWith('.json')).sort()
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { files: [], problems: [] }
    throw error
  }
  const files: JsonFile[] = []
  const problems: Array<{ file: string; path: string; message: string }> = []
  for (const name of names) {
    const file = join(dir, name)
    try {
      files.push({ file, json: JSON.parse(await readFile(file, 'utf8')) })
    } catch (error) {
      problems.push({ file, path: '(root)', message: `not valid JSON: ${(error as Error).message}` })
    }
  }
  return { files, problems }
}
