/** Reading the JSON files the CLI is given, with errors a person can act on. */
import { readFile } from 'node:fs/promises'
import { PotokError, setRuntimeLimits } from '../runtime/index.ts'
import { loadSettings, type Settings } from '../server/settings.ts'

export class CliError extends Error {
  /** The exit code (2: the command could not run; 1: a bad setting). */
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message)
  }
}

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

/**
 * Runs a command body: CliErrors print their message and exit with their code (2 by default);
 * other errors exit 2 with their message. Exits only once stdout and stderr have drained, so
 * output piped to another program is never cut.
 */
export async function withCliErrors(body: () => Promise<number>): Promise<never> {
  let code: number
  try {
    code = await body()
  } catch (error) {
    process.stderr.write(`potok: ${error instanceof CliError ? error.message : ((error as Error)?.message ?? error)}\n`)
    code = error instanceof CliError ? error.exitCode : 2
  }
  await Promise.all([drained(process.stdout), drained(process.stderr)])
  process.exit(code)
}

/** Resolves once what was written to `stream` so far is handed to the OS (writes complete in order). */
function drained(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write('', () => resolve()))
}

/**
 * The settings from the environment, validated (and the runtime's limits set from them); a
 * bad one is a CliError of one line, exit 1.
 */
export function cliSettings(): Settings {
  try {
    const settings = loadSettings(process.env)
    setRuntimeLimits(settings.runtime, true)
    return settings
  } catch (error) {
    if (error instanceof PotokError && error.code === 'INVALID_SETTINGS') throw new CliError(error.message, 1)
    throw error
  }
}
