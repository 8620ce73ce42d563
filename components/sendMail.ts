import { z } from 'zod'
import { PotokError } from '../runtime/errors.ts'
import type { Component } from '../runtime/types.ts'
import { kindOf, readContent } from './content.ts'
import { expr, variablePath } from './schema.ts'
import { deliver } from './sendMail/transport.ts'
import { runtimeLimits } from '../runtime/limits.ts'

const attachment = z.object({ name: expr.optional(), content: expr, contentType: expr.optional() }).strict()

const config = z
  .object({
    /** The id of an `smtp` connection (docs/connections.md): server, login and password live there. */
    connection: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a connection id'),
    from: expr.optional(),
    to: expr,
    cc: expr.optional(),
    bcc: expr.optional(),
    subject: expr,
    text: expr.optional(),
    html: expr.optional(),
    attachments: z.array(attachment).optional(),
    saveTo: variablePath.optional(),
    timeoutMs: z.number().int().positive().max(600_000).default(60_000),
  })
  .strict()
  .refine((c) => c.text !== undefined || c.html !== undefined, { message: 'give the message a text or an html body (or both)', path: ['text'] })
export type SendMailConfig = z.infer<typeof config>

function expressions(c: SendMailConfig) {
  const list: Array<{ path: Array<string | number>; source: string }> = []
  for (const key of ['from', 'to', 'cc', 'bcc', 'subject', 'text', 'html'] as const) {
    const source = c[key]
    if (source !== undefined) list.push({ path: [key], source })
  }
  c.attachments?.forEach((a, i) => {
    if (a.name !== undefined) list.push({ path: ['attachments', i, 'name'], source: a.name })
    list.push({ path: ['attachments', i, 'content'], source: a.content })
    if (a.contentType !== undefined) list.push({ path: ['attachments', i, 'contentType'], source: a.contentType })
  })
  return list
}

/** A recipient field: a string (commas allowed, as Bpium's «Кому») or a list of strings. */
function addresses(value: unknown, field: string, required: boolean): string[] {
  if (value === undefined || value === null || value === '') {
    if (required) throw new PotokError('MAIL_INVALID', `${field} is empty: the message needs a recipient`)
    return []
  }
  const list = Array.isArray(value) ? value : [value]
  if (!list.every((item) => typeof item === 'string')) throw new PotokError('MAIL_INVALID', `${field} must be a string or a list of strings, not ${kindOf(value)}`)
  const out = (list as string[])
    .flatMap((item) => item.split(','))
    .map((item) => item.trim())
    .filter(Boolean)
  if (required && !out.length) throw new PotokError('MAIL_INVALID', `${field} is empty: the message needs a recipient`)
  if (out.some((item) => /[\r\n]/.test(item))) throw new PotokError('MAIL_INVALID', `${field} contains a line break`)
  return out
}

function text(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value === 'object') throw new PotokError('MAIL_INVALID', `${field} must be text, not ${kindOf(value)}`)
  return String(value)
}

/**
 * Отправка почты: one message through an `smtp` connection (nodemailer). `to`, `cc`, `bcc` are
 * strings (comma-separated) or lists; attachments are binary values, strings or record files;
 * the server's message id goes to `saveTo`. Failures are MAIL_CONNECTION, MAIL_AUTH,
 * MAIL_TIMEOUT, MAIL_REJECTED, MAIL_INVALID, MAIL_ERROR (and the connection's own errors).
 */
export const sendMail: Component<SendMailConfig> = {
  type: 'sendMail',
  displayName: { ru: 'Отправка почты', en: 'Send mail' },
  kind: 'async',
  config,
  expressions,
  run: async (ctx) => {
    const c = ctx.config
    const list = expressions(c)
    const values = ctx.evaluateAll(list.map((e) => e.source))
    const at = new Map(list.map((e, i) => [e.path.join('.'), values[i]]))
    if (!ctx.services.getConnection) throw new PotokError('CONNECTION_NOT_FOUND', `connection "${c.connection}" cannot be used here: this host has no connections`)
    const connection = await ctx.services.getConnection(c.connection)
    if (connection.type !== 'smtp') throw new PotokError('CONNECTION_TYPE', `connection "${c.connection}" is of type ${connection.type}; sendMail needs an smtp connection`)

    const limit = runtimeLimits().mailMaxBytes
    let total = 0
    const attachments: Array<{ filename: string; content: Buffer; contentType?: string }> = []
    for (const [i, _a] of (c.attachments ?? []).entries()) {
      const content = await readContent(at.get(`attachments.${i}.content`), ctx.services, `attachment ${i + 1}`, 'MAIL_INVALID', limit - total)
      total += content.data.byteLength
      const name = text(at.get(`attachments.${i}.name`), `attachment ${i + 1} name`) ?? content.name ?? `attachment-${i + 1}`
      const contentType = text(at.get(`attachments.${i}.contentType`), `attachment ${i + 1} contentType`) ?? content.contentType
      attachments.push({ filename: name, content: content.data, ...(contentType ? { contentType } : {}) })
    }
    const from = text(at.get('from'), 'from') ?? (connection.config.user as string | undefined)
    if (!from) throw new PotokError('MAIL_INVALID', `from is empty and connection "${c.connection}" has no user to send as`)
    const messageId = await deliver(
      connection,
      {
        from,
        to: addresses(at.get('to'), 'to', true),
        cc: addresses(at.get('cc'), 'cc', false),
        bcc: addresses(at.get('bcc'), 'bcc', false),
        subject: text(at.get('subject'), 'subject') ?? '',
        text: text(at.get('text'), 'text'),
        html: text(at.get('html'), 'html'),
        attachments,
      },
      c.timeoutMs,
      ctx.signal,
    )
    return c.saveTo ? [{ path: c.saveTo, value: messageId }] : []
  },
}
