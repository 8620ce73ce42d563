/**
 * The body of a record write (`POST /api/v1/catalogs/{id}/records`, `PATCH …/{recordId}`):
 * `{ values: { <fieldId>: value } }`. The route checks bodies with it and the OpenAPI document
 * is generated from it, so the two cannot differ.
 */
import { z } from 'zod'

export const recordValuesBody = z.object({ values: z.record(z.string(), z.unknown()).describe("keyed by field id, in Bpium's value shapes") })
