/**
 * A real SMTP server for tests (`smtp-server`, by nodemailer's author), started on a random
 * port: plain SMTP (no STARTTLS), AUTH PLAIN/LOGIN over it for one user, every accepted message
 * parsed with `mailparser` and kept with its envelope.
 */
import type { AddressInfo } from 'node:net'
import { simpleParser, type ParsedMail } from 'mailparser'
import { SMTPServer } from 'smtp-server'

export interface ReceivedMail {
  envelope: { from: string; to: string[] }
  user?: string
  mail: ParsedMail
}

export interface TestSmtp {
  port: number
  received: ReceivedMail[]
  close(): Promise<void>
}

export async function startSmtp(options: { user?: string; password?: string; rejectRecipient?: string } = {}): Promise<TestSmtp> {
  const received: ReceivedMail[] = []
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: !options.user,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === options.user && auth.password === options.password) return callback(null, { user: auth.username })
      const error = new Error('Authentication failed') as Error & { responseCode: number }
      error.responseCode = 535
      callback(error)
    },
    onRcptTo(address, _session, callback) {
      if (address.address === options.rejectRecipient) {
        const error = new Error('No such mailbox') as Error & { responseCode: number }
        error.responseCode = 550
        return callback(error)
      }
      callback()
    },
    onData(stream, session, callback) {
      simpleParser(stream).then((mail) => {
        received.push({
          envelope: { from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address) },
          user: session.user as string | undefined,
          mail,
        })
        callback()
      }, callback)
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server as unknown as { server: { address(): AddressInfo } }).server.address().port
  return { port, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}
