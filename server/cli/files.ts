/** Reading the JSON files the CLI is given, with errors a person can act on. */
import { readFile } from 'node:fs/promises'

export class CliError extends Error {}

/** Parses a JSON file; a missing file or bad JSON is a CliError naming the file. */
export async function readJsonFile(file: string): Promise<unknown> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    throw new CliError(`${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`)
  }
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new CliError(`${file}: not valid JSON (${(error as Error).message})`)
  }
}

/** `--input '<json>'` or `--input @file.json`. */
export async function readInputArg(value: string | undefined): Promise<Record<string, unknown>> {
  if (value === undefined || value === '') return {}
  const parsed = value.startsWith('@') ? await readJsonFile(value.slice(1)) : parseInline(value)
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CliError('--input must be a JSON object: its keys become the process variables')
  }
  return parsed as Record<string, unknown>
}

function parseInline(value: string): unknown {
  try {
    return JSON.parse(value)
  } catch (error) {
    throw new CliError(`--input is not valid JSON (${(error as Error).message}); use --input '{"body":{}}' or --input @file.json`)
  }
}

/** Runs a command body: CliErrors print their message and exit 2; other errors exit 2 with their message. */
export async function withCliErrors(body: () => Promise<number>): Promise<never> {
  let code: number
  try {
    code = await body()
  } catch (error) {
    process.stderr.write(`potok: ${error instanceof CliError ? error.message : (error as Error)?.message ?? error}\n`)
    code = 2
  }
  process.exit(code)
}
