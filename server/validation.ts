/**
 * Client documents checked against their zod schema at the edge: one 422 `VALIDATION_FAILED`
 * listing every problem by its path, the same for every kind of record.
 *
 * @example
 * const input = parseDocument(webRequestInputSchema, body, 'the external request')
 */
import type { z } from 'zod'
import { formatPath, PotokError } from '../runtime/index.ts'

export function parseDocument<T extends z.ZodType>(schema: T, input: unknown, what: string, pathPrefix: ReadonlyArray<PropertyKey> = []): z.infer<T> {
  const parsed = schema.safeParse(input)
  if (parsed.success) return parsed.data
  throw new PotokError('VALIDATION_FAILED', `${what} is invalid`, {
    details: { problems: parsed.error.issues.map((issue) => ({ path: formatPath([...pathPrefix, ...issue.path]), message: issue.message })) },
  })
}
