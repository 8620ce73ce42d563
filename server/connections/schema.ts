/**
 * What a client (or a `FLOWS_DIR/connections/*.json` file) sends for a connection (docs/connections.md),
 * by type. Secrets are given inline, as `{ "env": "NAME" }`, or as `"***"` in a replace, which
 * keeps the stored one.
 *
 * | type | config | secrets |
 * |---|---|---|
 * | `smtp` | `{ host, port, secure? = false, user? }` | `{ password? }` |
 * | `http` | `{ scheme: "basic", username }` | `{ password }` |
 * | `http` | `{ scheme: "bearer" }` | `{ token }` |
 * | `http` | `{ scheme: "oauth2", tokenUrl, clientId, scope? }` (client credentials) | `{ clientSecret }` |
 */
import { z } from 'zod'
import { secretSchema } from '../catalog.ts'
import { parseDocument } from '../validation.ts'

const recordId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'ids are 1 to 64 letters, digits, "_" or "-"')
const secret = secretSchema.optional()
const common = {
  id: recordId.optional(),
  name: z.string().min(1, 'a name is required').max(200),
  description: z.string().max(10_000).optional(),
  createdAt: z.string().optional(),
  updatedAt: z.string().optional(),
}

const smtp = z
  .object({
    ...common,
    type: z.literal('smtp'),
    config: z
      .object({
        host: z
          .string()
          .min(1)
          .max(255)
          .regex(/^[^\s/:]+$/, 'a host name or address, without a scheme or port'),
        port: z.number().int().min(1).max(65535),
        secure: z.boolean().default(false),
        user: z.string().min(1).optional(),
      })
      .strict(),
    secrets: z.object({ password: secret }).strict().default({}),
  })
  .strict()

const http = z
  .object({
    ...common,
    type: z.literal('http'),
    config: z
      .object({
        scheme: z.enum(['basic', 'bearer', 'oauth2']),
        username: z.string().min(1).optional(),
        tokenUrl: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
        clientId: z.string().min(1).optional(),
        scope: z.string().optional(),
      })
      .strict(),
    secrets: z.object({ password: secret, token: secret, clientSecret: secret }).strict().default({}),
  })
  .strict()
  .superRefine((c, issues) => {
    const need = (ok: unknown, path: string[], message: string) => {
      if (!ok) issues.addIssue({ code: 'custom', path, message })
    }
    const { scheme } = c.config
    if (scheme === 'basic') {
      need(c.config.username, ['config', 'username'], 'basic needs a username')
      need(c.secrets.password, ['secrets', 'password'], 'basic needs a password')
    } else if (scheme === 'bearer') {
      need(c.secrets.token, ['secrets', 'token'], 'bearer needs a token')
    } else {
      need(c.config.tokenUrl, ['config', 'tokenUrl'], 'oauth2 needs the token endpoint URL')
      need(c.config.clientId, ['config', 'clientId'], 'oauth2 needs a clientId')
      need(c.secrets.clientSecret, ['secrets', 'clientSecret'], 'oauth2 needs a clientSecret')
    }
    for (const key of Object.keys(c.secrets) as Array<keyof typeof c.secrets>) {
      const wanted = { basic: 'password', bearer: 'token', oauth2: 'clientSecret' }[scheme]
      if (c.secrets[key] !== undefined && key !== wanted) issues.addIssue({ code: 'custom', path: ['secrets', key], message: `${scheme} does not use ${key}` })
    }
  })

export const connectionInputSchema = z.discriminatedUnion('type', [smtp, http])
export type ConnectionInput = z.infer<typeof connectionInputSchema>

/** Parses a client's document; throws 422 `VALIDATION_FAILED` listing every problem by path. */
export function parseConnectionInput(input: unknown, pathPrefix: ReadonlyArray<PropertyKey> = []): ConnectionInput {
  return parseDocument(connectionInputSchema, input, 'the connection', pathPrefix)
}
