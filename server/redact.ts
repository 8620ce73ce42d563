/**
 * Credentials never reach the store in clear. A scenario gets the caller's headers as they came
 * (it may need them at run time), but everything written about a process — input, output,
 * response, error variables, snapshots, step writes, idempotent answers — has them as `***`:
 *
 * - by name: a property named like one of REDACT_HEADERS (`authorization`, `cookie`,
 *   `x-api-key`…), at any depth, when its value is a string;
 * - by value: the credentials of the request that started the process (the header values, the
 *   bearer token, the basic password, each cookie's value), wherever a scenario copied them,
 *   for that process and the sub-processes it starts.
 *
 * It happens in one place: `redactingStore` wraps the store the whole server writes through;
 * the same walk cuts values nested deeper than MAX_STORED_DEPTH, so nothing is written that
 * could not be read back.
 * A process resumed or replayed from its record sees `***` where the credentials were.
 *
 * @example
 * const redactor = new Redactor(settings.redactHeaders)
 * const store = redactingStore(await openStore(), redactor)
 * redactor.track(processId, request.headers)   // before the process's first write
 */
import { MAX_STORED_DEPTH, type StepRecord, tooDeepNote } from '../runtime/index.ts'
import type { ProcessPatch, ProcessRecord, ProcessStore, StoredResponse } from '../store/port.ts'

export const REDACTED = '***'
/** Shorter derived parts (a cookie value such as `1`) would blank innocent text. */
const MIN_DERIVED = 6
/**
 * Deeper than this a value is stored as a note instead: nesting that deep overflows the stack of
 * whatever reads it back (the store, the lists). MAX_BODY_DEPTH keeps input far below it; only
 * data a scenario builds can reach it.
 */
export { MAX_STORED_DEPTH }
export const TOO_DEEP = tooDeepNote()
const FINAL = new Set(['completed', 'failed', 'interrupted', 'cancelled'])
const WRAPPED = Symbol('potok.redacting')

export class Redactor {
  readonly #names: ReadonlySet<string>
  readonly #nameCache = new Map<string, boolean>()
  /** Credentials by process id (a child shares its parent's list). */
  readonly #secrets = new Map<string, string[]>()

  /** Redacted from every write whatever the process (the admin token). */
  readonly #always: string[]

  constructor(headerNames: readonly string[], always: readonly string[] = []) {
    this.#names = new Set(headerNames.map((name) => name.toLowerCase()))
    this.#always = always.filter(Boolean)
  }

  /** Notes the credentials `headers` carry, to be redacted from everything `processId` writes. */
  track(processId: string, headers: Headers): void {
    const found = new Set<string>()
    for (const name of this.#names) {
      const value = headers.get(name)
      if (!value) continue
      found.add(value)
      for (const part of credentialParts(name, value)) if (part.length >= MIN_DERIVED) found.add(part)
    }
    // Longest first, so a header value is replaced whole before the token inside it.
    if (found.size)
      this.#secrets.set(
        processId,
        [...found, ...this.#always].sort((a, b) => b.length - a.length),
      )
  }

  /** A child process writes under its parent's credentials. */
  inherit(childId: string, parentId: string | null | undefined): void {
    const secrets = parentId ? this.#secrets.get(parentId) : undefined
    if (secrets && !this.#secrets.has(childId)) this.#secrets.set(childId, secrets)
  }

  forget(processId: string): void {
    this.#secrets.delete(processId)
  }

  /**
   * `value` with credentials as `***` (the same object when there was nothing to redact). An
   * object met twice (a record's output is its snapshot's variables, and an ended snapshot's
   * output its context) is walked once and stays one object.
   */
  redact<T>(value: T, processId?: string): T {
    const secrets = (processId && this.#secrets.get(processId)) || this.#always
    return this.#walk(value, secrets, 0, new Map()) as T
  }

  /** Whether `key` names a redacted header, any case (answers cached: the same keys recur in every record). */
  #isName(key: string): boolean {
    let known = this.#nameCache.get(key)
    if (known === undefined) {
      known = this.#names.has(key.toLowerCase())
      if (this.#nameCache.size < 10_000) this.#nameCache.set(key, known)
    }
    return known
  }

  #walk(value: unknown, secrets: readonly string[], depth: number, seen: Map<object, unknown>): unknown {
    if (typeof value === 'string') return secrets.length ? replaceSecrets(value, secrets) : value
    if (typeof value !== 'object' || value === null) return value
    if (depth >= MAX_STORED_DEPTH) return TOO_DEEP
    const known = seen.get(value)
    if (known !== undefined) return known
    const result = this.#walkObject(value, secrets, depth, seen)
    seen.set(value, result)
    return result
  }

  #walkObject(value: object, secrets: readonly string[], depth: number, seen: Map<object, unknown>): unknown {
    if (Array.isArray(value)) {
      let copy: unknown[] | null = null
      for (let i = 0; i < value.length; i++) {
        const next = this.#walk(value[i], secrets, depth + 1, seen)
        if (next !== value[i]) (copy ??= value.slice())[i] = next
      }
      return copy ?? value
    }
    let copy: Record<string, unknown> | null = null
    // for…in, not Object.keys: no array per object (3 KB per request on greet); own keys only.
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue
      const current = (value as Record<string, unknown>)[key]
      const next = typeof current === 'string' && this.#isName(key) && current !== REDACTED ? REDACTED : this.#walk(current, secrets, depth + 1, seen)
      if (next !== current) {
        copy ??= { ...(value as Record<string, unknown>) }
        // defineProperty: a key such as `__proto__` stays an ordinary property of the copy.
        Object.defineProperty(copy, key, { value: next, enumerable: true, writable: true, configurable: true })
      }
    }
    return copy ?? value
  }
}

function replaceSecrets(text: string, secrets: readonly string[]): string {
  let result = text
  for (const secret of secrets) if (result.includes(secret)) result = result.split(secret).join(REDACTED)
  return result
}

/** The parts of a credential header a scenario may copy on its own: the token, the password, each cookie value. */
function credentialParts(name: string, value: string): string[] {
  if (name === 'cookie') {
    return value
      .split(';')
      .map((pair) => pair.slice(pair.indexOf('=') + 1).trim())
      .flatMap((v) => [v, safeDecode(v)])
  }
  const scheme = /^(\w+)\s+(.+)$/.exec(value.trim())
  if (!scheme) return []
  const [, kind, credential] = scheme
  if (kind.toLowerCase() !== 'basic') return [credential]
  const decoded = Buffer.from(credential, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  return [credential, decoded, ...(colon === -1 ? [] : [decoded.slice(colon + 1)])]
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}

/**
 * The store with every process write redacted (see the file comment); reads and every other
 * method pass through. Wrapping twice is a no-op.
 */
export function redactingStore(store: ProcessStore, redactor: Redactor): ProcessStore {
  if ((store as { [WRAPPED]?: boolean })[WRAPPED]) return store
  const steps = (id: string, list?: StepRecord[]) => (list ? redactor.redact(list, id) : list)
  const patch = (id: string, value: ProcessPatch) => redactor.redact(value, id)
  const settle = (id: string, status: string | undefined) => {
    if (status && FINAL.has(status)) redactor.forget(id)
  }
  const overrides: Partial<ProcessStore> = {
    createProcess: async (record: ProcessRecord) => {
      redactor.inherit(record.id, record.parentId)
      await store.createProcess(redactor.redact(record, record.id))
    },
    recordProcess: async (record: ProcessRecord, list: StepRecord[]) => {
      redactor.inherit(record.id, record.parentId)
      await store.recordProcess(redactor.redact(record, record.id), steps(record.id, list)!)
      settle(record.id, record.status)
    },
    updateProcess: async (id: string, value: ProcessPatch, list?: StepRecord[]) => {
      await store.updateProcess(id, patch(id, value), steps(id, list))
      settle(id, value.status)
    },
    transitionProcess: async (id, from, value, owner) => {
      const done = await store.transitionProcess(id, from, patch(id, value), owner)
      if (done) settle(id, value.status)
      return done
    },
    commitProcess: async (id, lease, value, list, leaseMs) => {
      const done = await store.commitProcess(id, lease, redactor.redact(value, id), steps(id, list), leaseMs)
      if (done) settle(id, value.status)
      return done
    },
    setIdempotencyResponse: (key: string, response: StoredResponse) => store.setIdempotencyResponse(key, redactor.redact(response)),
  }
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === WRAPPED) return true
      if (typeof property === 'string' && property in overrides) return overrides[property as keyof ProcessStore]
      const value = Reflect.get(target, property, receiver)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}
