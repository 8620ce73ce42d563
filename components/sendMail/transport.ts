/**
 * SMTP delivery for `sendMail` through nodemailer, bounded in time, with nodemailer's failures
 * turned into component errors a boundary can branch on — and with the connection's password cut
 * out of any message that might echo it.
 *
 * | code | nodemailer says |
 * |---|---|
 * | `MAIL_CONNECTION` | the server cannot be reached: refused, DNS, TLS, socket errors |
 * | `MAIL_AUTH` | the login was refused (or the server offers no login) |
 * | `MAIL_TIMEOUT` | no greeting, no answer or no end within `timeoutMs` |
 * | `MAIL_REJECTED` | the server refused the sender, a recipient or the message |
 * | `MAIL_ERROR` | anything else |
 */
import nodemailer from 'nodemailer'
import type { ErrorCode } from '../../runtime/error-codes.ts'
import { PotokError } from '../../runtime/errors.ts'
import type { ConnectionInfo } from '../../runtime/types.ts'

export interface SmtpMessage {
  from: string
  to: string[]
  cc: string[]
  bcc: string[]
  subject: string
  text?: string
  html?: string
  attachments: Array<{ filename: string; content: Buffer; contentType?: string }>
}

const CODES: Record<string, ErrorCode> = {
  ECONNECTION: 'MAIL_CONNECTION',
  EDNS: 'MAIL_CONNECTION',
  ETLS: 'MAIL_CONNECTION',
  ESOCKET: 'MAIL_CONNECTION',
  EAUTH: 'MAIL_AUTH',
  ENOAUTH: 'MAIL_AUTH',
  ETIMEDOUT: 'MAIL_TIMEOUT',
  EENVELOPE: 'MAIL_REJECTED',
  EMESSAGE: 'MAIL_REJECTED',
}

/** Sends `message` through the `smtp` connection; the server's message id. */
export async function deliver(connection: ConnectionInfo, message: SmtpMessage, timeoutMs: number, signal: AbortSignal): Promise<string> {
  const config = connection.config as { host: string; port: number; secure?: boolean; user?: string }
  const password = connection.secrets.password
  const where = `${config.host}:${config.port}`
  const transport = nodemailer.createTransport({
    host: config.host,
    port: config.port,
    secure: config.secure === true,
    auth: config.user ? { user: config.user, pass: password ?? '' } : undefined,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    disableFileAccess: true,
    disableUrlAccess: true,
  })
  let timer: NodeJS.Timeout | undefined
  let onAbort: (() => void) | undefined
  try {
    const stopped = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new PotokError('MAIL_TIMEOUT', `the SMTP server ${where} did not accept the message within ${timeoutMs} ms`)), timeoutMs)
      onAbort = () => reject(new PotokError('ABORTED', `sending mail through ${where} was aborted: the process left the node or stopped`))
      if (signal.aborted) onAbort()
      else signal.addEventListener('abort', onAbort, { once: true })
    })
    const info = await Promise.race([transport.sendMail(message), stopped])
    return String(info.messageId ?? '')
  } catch (error) {
    if (error instanceof PotokError) throw error
    const { code, message: text, responseCode } = error as { code?: string; message?: string; responseCode?: number }
    const clean = redact(String(text ?? error), password)
    throw new PotokError(CODES[code ?? ''] ?? 'MAIL_ERROR', `sending mail through ${where} failed: ${clean}`, {
      details: { ...(code ? { cause: code } : {}), ...(responseCode ? { responseCode } : {}) },
    })
  } finally {
    clearTimeout(timer)
    if (onAbort) signal.removeEventListener('abort', onAbort)
    transport.close()
  }
}

function redact(text: string, secret: string | undefined): string {
  return secret ? text.split(secret).join('***') : text
}
