/**
 * Connections as the server handles them: a client's document becomes a stored record with
 * every inline secret sealed (`secretKey.ts`); the API shows records with secrets as `"***"`
 * (an `{ "env" }` reference is shown, the name is not the secret); components get a connection
 * with its secrets in clear through `RuntimeServices.getConnection`, and nowhere else.
 *
 * @example
 * const connections = new Connections(store, secretKeyFromEnv())
 * await connections.create({ id: 'mail', name: 'Mail', type: 'smtp', config: { host, port: 465 }, secrets: { password: 'pw' } })
 * (await connections.resolve('mail')).secrets.password // 'pw'
 */
import { randomUUID } from 'node:crypto'
import { isDeepStrictEqual } from 'node:util'
import { type ConnectionInfo, PotokError } from '../../runtime/index.ts'
import type { ConnectionRecord, ConnectionStore, StoredSecret } from '../../store/port.ts'
import { MASK } from '../catalog.ts'
import type { ConnectionInput } from './schema.ts'
import { open, seal } from './secretKey.ts'

/** A connection as the API answers it. */
export type PublicConnection = Omit<ConnectionRecord, 'secrets'> & { secrets: Record<string, string | { env: string }> }

export class Connections {
  constructor(
    private readonly store: ConnectionStore,
    private readonly key: Buffer | null,
    private readonly env: Record<string, string | undefined> = process.env,
  ) {}

  async list(): Promise<PublicConnection[]> {
    return (await this.store.listConnections()).map(publicConnection)
  }

  async get(id: string): Promise<PublicConnection> {
    return publicConnection(await this.stored(id))
  }

  async create(input: ConnectionInput): Promise<PublicConnection> {
    const id = input.id ?? randomUUID()
    if (await this.store.getConnection(id)) {
      throw new PotokError('CONFLICT', `connection "${id}" exists; PUT /api/v1/connections/${id} replaces it`)
    }
    return publicConnection(await this.store.createConnection(this.toRecord({ ...input, id }, null)))
  }

  async replace(id: string, input: ConnectionInput): Promise<PublicConnection> {
    const existing = await this.stored(id)
    const record = await this.store.replaceConnection(this.toRecord({ ...input, id }, existing))
    if (!record) throw notFound(id)
    return publicConnection(record)
  }

  /** Creates or replaces (FLOWS_DIR declarations); an unchanged secret keeps its sealed text. */
  async upsert(input: ConnectionInput & { id: string }): Promise<PublicConnection> {
    const existing = await this.store.getConnection(input.id)
    const record = this.toRecord(input, existing)
    // Unchanged (a restart with the same declarations): no write, so a server starts on a full disk.
    if (existing && sameConnection(existing, record)) return publicConnection(existing)
    return publicConnection(existing ? (await this.store.replaceConnection(record))! : await this.store.createConnection(record))
  }

  async delete(id: string): Promise<void> {
    if (!(await this.store.deleteConnection(id))) throw notFound(id)
  }

  /** The connection with its secrets in clear, for a component (`RuntimeServices.getConnection`). */
  async resolve(id: string): Promise<ConnectionInfo> {
    const record = await this.store.getConnection(id)
    if (!record) throw new PotokError('CONNECTION_NOT_FOUND', `there is no connection "${id}" (create it under /api/v1/connections)`)
    const secrets: Record<string, string> = {}
    for (const [name, stored] of Object.entries(record.secrets)) secrets[name] = this.reveal(record.id, name, stored)
    return { id: record.id, type: record.type, config: record.config, secrets }
  }

  /**
   * At start: connections with sealed secrets need POTOK_SECRET_KEY, and the key they were sealed
   * with. Throws one line naming the connections (never a value).
   */
  async checkKey(): Promise<void> {
    const sealed = (await this.store.listConnections()).filter((c) => Object.values(c.secrets).some((s) => 'sealed' in s))
    if (!sealed.length) return
    if (!this.key) {
      throw new PotokError(
        'SECRET_KEY_MISSING',
        `POTOK_SECRET_KEY is not set, but connection(s) ${sealed.map((c) => `"${c.id}"`).join(', ')} keep encrypted secrets: set it to the key they were stored with (32 bytes, base64 or hex)`,
      )
    }
    for (const record of sealed) {
      for (const [name, stored] of Object.entries(record.secrets)) if ('sealed' in stored) open(this.key, record.id, name, stored.sealed)
    }
  }

  private async stored(id: string): Promise<ConnectionRecord> {
    const record = await this.store.getConnection(id)
    if (!record) throw notFound(id)
    return record
  }

  private reveal(id: string, name: string, stored: StoredSecret): string {
    if ('env' in stored) {
      const value = this.env[stored.env]
      if (value === undefined || value === '') {
        throw new PotokError('CONNECTION_SECRET_MISSING', `the secret "${name}" of connection "${id}" is read from the environment variable ${stored.env}, which is not set`)
      }
      return value
    }
    if (!this.key) throw new PotokError('SECRET_KEY_MISSING', `connection "${id}" keeps an encrypted secret, but POTOK_SECRET_KEY is not set`)
    return open(this.key, id, name, stored.sealed)
  }

  private toRecord(input: ConnectionInput & { id: string }, existing: ConnectionRecord | null, now = new Date().toISOString()): ConnectionRecord {
    const { createdAt: _c, updatedAt: _u, secrets: given, ...fields } = input
    const secrets: Record<string, StoredSecret> = {}
    const problems: Array<{ path: string; message: string }> = []
    for (const [name, value] of Object.entries(given as Record<string, string | { env: string } | undefined>)) {
      if (value === undefined) continue
      const previous = existing?.secrets[name]
      if (typeof value === 'object') secrets[name] = { env: value.env }
      else if (value === MASK) {
        if (previous) secrets[name] = previous
        else problems.push({ path: `secrets.${name}`, message: `"${MASK}" keeps the stored secret, but there is no stored ${name} to keep` })
      } else if (!this.key) {
        problems.push({ path: `secrets.${name}`, message: 'storing a secret needs POTOK_SECRET_KEY (32 bytes, base64 or hex) on the server; or give it as { "env": "NAME" }' })
      } else {
        secrets[name] = previous && 'sealed' in previous && this.opensTo(input.id, name, previous.sealed, value) ? previous : { sealed: seal(this.key, input.id, name, value) }
      }
    }
    if (problems.length) throw new PotokError('VALIDATION_FAILED', 'the connection is invalid', { details: { problems } })
    return { ...fields, id: input.id, config: fields.config as Record<string, unknown>, secrets, createdAt: existing?.createdAt ?? now, updatedAt: now }
  }

  private opensTo(id: string, name: string, sealed: string, value: string): boolean {
    try {
      return open(this.key!, id, name, sealed) === value
    } catch {
      return false
    }
  }
}

export function publicConnection(record: ConnectionRecord): PublicConnection {
  const secrets: PublicConnection['secrets'] = {}
  for (const [name, stored] of Object.entries(record.secrets)) secrets[name] = 'env' in stored ? { env: stored.env } : MASK
  return { ...record, secrets }
}

function notFound(id: string): PotokError {
  return new PotokError('NOT_FOUND', `there is no connection "${id}"`)
}

/** Equal but for `updatedAt` (undefined fields and key order aside, as the store keeps them). */
function sameConnection(a: ConnectionRecord, b: ConnectionRecord): boolean {
  const comparable = (record: ConnectionRecord) => JSON.parse(JSON.stringify({ ...record, updatedAt: null })) as unknown
  return isDeepStrictEqual(comparable(a), comparable(b))
}
