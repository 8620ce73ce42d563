/**
 * A settings form generated from a component's config JSON Schema (as `GET /api/v1/components`
 * gives it, made by zod from the schema that validates the node): objects become fieldsets,
 * strings inputs (selects for enums, expression editors for `format: "expression"`), numbers and
 * booleans their inputs, arrays lists with add/remove, alternatives (`anyOf`) a choice of form.
 * Anything the form cannot draw is edited as JSON. Every field is labelled and shows the
 * validation problems whose path points at it.
 */
import { useId, useState, type ReactNode } from 'react'
import { useI18n } from '../i18n.ts'
import type { JsonSchema } from './components.ts'
import { ExpressionField } from './ExpressionField.tsx'

export interface FieldContext {
  /** Problems by path relative to the form's value (`assignments[0].value`). */
  problems: ReadonlyMap<string, string[]>
  variables: readonly string[]
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)
const typesOf = (schema: JsonSchema): string[] => (Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [])

/** The alternatives of a schema, `null` left out (an absent value is how a form says null). */
function variantsOf(schema: JsonSchema): JsonSchema[] | null {
  const list = schema.anyOf ?? schema.oneOf
  if (!list) return null
  return list.filter((s) => !typesOf(s).includes('null') || typesOf(s).length > 1)
}

/** Which alternative `value` is (by its JSON type), or the first. */
function pickVariant(variants: JsonSchema[], value: unknown): number {
  const kind = value === undefined ? undefined : Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value === 'number' ? 'number' : typeof value
  const found = variants.findIndex((v) => {
    const types = typesOf(v)
    if (v.const !== undefined) return v.const === value
    if (v.enum) return v.enum.includes(value)
    return kind !== undefined && (types.includes(kind) || (kind === 'number' && types.includes('integer')))
  })
  return Math.max(found, 0)
}

/** An empty value of a schema: what "Add" puts in a list. */
export function emptyValue(schema: JsonSchema): unknown {
  if (schema.default !== undefined) return structuredClone(schema.default)
  const variants = variantsOf(schema)
  if (variants?.length) return emptyValue(variants[0])
  if (schema.const !== undefined) return schema.const
  if (schema.enum?.length) return schema.enum[0]
  const type = typesOf(schema)[0]
  if (type === 'object') {
    const out: Record<string, unknown> = {}
    for (const key of schema.required ?? []) if (schema.properties?.[key]) out[key] = emptyValue(schema.properties[key])
    return out
  }
  if (type === 'array') return []
  if (type === 'number' || type === 'integer') return 0
  if (type === 'boolean') return false
  return ''
}

function Problems({ id, list }: { id: string; list?: string[] }) {
  if (!list?.length) return null
  return (
    <div id={id} className="field-problem" role="alert" data-testid="field-problem">
      {list.join('; ')}
    </div>
  )
}

interface FieldProps {
  schema: JsonSchema
  value: unknown
  onChange: (value: unknown) => void
  /** Path of this value in the form (`assignments[0].value`), '' for the root. */
  path: string
  label: string
  /** Said after the label by screen readers only (the item number in a list). */
  labelSuffix?: string
  required?: boolean
  ctx: FieldContext
}

/** One value of any schema. */
export function SchemaField(props: FieldProps): ReactNode {
  const { schema, value, path, ctx } = props
  const variants = variantsOf(schema)
  if (variants && variants.length > 1) return <VariantField {...props} variants={variants} />
  const single = variants?.length === 1 ? { ...variants[0], default: schema.default ?? variants[0].default } : schema
  const types = typesOf(single)
  if (single.enum || single.const !== undefined) return <EnumField {...props} schema={single} />
  if (types.includes('object') && single.properties) return <ObjectField {...props} schema={single} />
  if (types.includes('array') && single.items) return <ArrayField {...props} schema={single} />
  if (types.includes('string')) return <TextField {...props} schema={single} />
  if (types.includes('number') || types.includes('integer')) return <NumberField {...props} schema={single} />
  if (types.includes('boolean')) return <BooleanField {...props} schema={single} />
  return <JsonField {...props} value={value} problems={ctx.problems.get(path)} />
}

function Label({ htmlFor, label, suffix, required }: { htmlFor: string; label: string; suffix?: string; required?: boolean }) {
  return (
    <span className="field-label-row">
      <label htmlFor={htmlFor} className="field-label">
        {label}
        {suffix ? <span className="sr-only"> {suffix}</span> : null}
      </label>
      {required ? (
        <span className="required" aria-hidden="true" title="required">
          {' '}
          *
        </span>
      ) : null}
    </span>
  )
}

function TextField({ schema, value, onChange, path, label, labelSuffix, required, ctx }: FieldProps) {
  const id = useId()
  const problems = ctx.problems.get(path)
  const text = typeof value === 'string' ? value : value === undefined ? '' : String(value)
  const set = (next: string) => onChange(next === '' && !required ? undefined : next)
  return (
    <div className={`field${problems ? ' has-problem' : ''}`} data-field={path}>
      <Label htmlFor={id} label={label} suffix={labelSuffix} required={required} />
      {schema.format === 'expression' ? (
        <ExpressionField
          id={id}
          value={text}
          onChange={set}
          variables={ctx.variables}
          label={labelSuffix ? `${label} ${labelSuffix}` : label}
          invalid={!!problems}
          describedBy={problems ? `${id}-problem` : undefined}
        />
      ) : (
        <input
          id={id}
          className="input"
          value={text}
          onChange={(e) => set(e.target.value)}
          aria-invalid={problems ? 'true' : 'false'}
          aria-describedby={problems ? `${id}-problem` : undefined}
          pattern={undefined}
        />
      )}
      {schema.description ? <div className="muted small">{schema.description}</div> : null}
      <Problems id={`${id}-problem`} list={problems} />
    </div>
  )
}

function NumberField({ schema, value, onChange, path, label, labelSuffix, required, ctx }: FieldProps) {
  const id = useId()
  const problems = ctx.problems.get(path)
  return (
    <div className={`field${problems ? ' has-problem' : ''}`} data-field={path}>
      <Label htmlFor={id} label={label} suffix={labelSuffix} required={required} />
      <input
        id={id}
        className="input"
        type="number"
        value={typeof value === 'number' ? value : ''}
        min={schema.minimum}
        max={schema.maximum}
        step={typesOf(schema).includes('integer') ? 1 : 'any'}
        onChange={(e) => onChange(e.target.value === '' ? undefined : Number(e.target.value))}
        placeholder={schema.default !== undefined ? String(schema.default) : undefined}
        aria-invalid={problems ? 'true' : 'false'}
        aria-describedby={problems ? `${id}-problem` : undefined}
      />
      <Problems id={`${id}-problem`} list={problems} />
    </div>
  )
}

function BooleanField({ schema, value, onChange, path, label, labelSuffix, ctx }: FieldProps) {
  const id = useId()
  const problems = ctx.problems.get(path)
  const checked = typeof value === 'boolean' ? value : schema.default === true
  return (
    <div className="field field-check" data-field={path}>
      <input id={id} type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />
      <Label htmlFor={id} label={label} suffix={labelSuffix} />
      <Problems id={`${id}-problem`} list={problems} />
    </div>
  )
}

function EnumField({ schema, value, onChange, path, label, labelSuffix, required, ctx }: FieldProps) {
  const id = useId()
  const { t } = useI18n()
  const problems = ctx.problems.get(path)
  const options = schema.enum ?? [schema.const]
  const index = options.indexOf(value)
  return (
    <div className={`field${problems ? ' has-problem' : ''}`} data-field={path}>
      <Label htmlFor={id} label={label} suffix={labelSuffix} required={required} />
      <select id={id} className="input" value={index < 0 ? '' : String(index)} onChange={(e) => onChange(e.target.value === '' ? undefined : options[Number(e.target.value)])}>
        {!required || index < 0 ? <option value="">{schema.default !== undefined ? `${t('form.default')}: ${String(schema.default)}` : '—'}</option> : null}
        {options.map((o, i) => (
          <option key={i} value={String(i)}>
            {String(o)}
          </option>
        ))}
      </select>
      <Problems id={`${id}-problem`} list={problems} />
    </div>
  )
}

function ObjectField({ schema, value, onChange, path, label, labelSuffix, ctx }: FieldProps) {
  const object = isObject(value) ? value : {}
  const required = new Set(schema.required ?? [])
  const problems = ctx.problems.get(path)
  const fields = Object.entries(schema.properties ?? {}).map(([key, child]) => (
    <SchemaField
      key={key}
      schema={child}
      value={object[key]}
      path={path ? `${path}.${key}` : key}
      label={key}
      labelSuffix={labelSuffix}
      required={required.has(key)}
      ctx={ctx}
      onChange={(next) => {
        const copy = { ...object }
        if (next === undefined) delete copy[key]
        else copy[key] = next
        onChange(copy)
      }}
    />
  ))
  if (!path)
    return (
      <>
        {fields}
        <Problems id="root-problem" list={problems} />
      </>
    )
  return (
    <fieldset className="fieldset" data-field={path}>
      <legend>
        {label}
        {labelSuffix ? <span className="sr-only"> {labelSuffix}</span> : null}
      </legend>
      {fields}
      <Problems id={`${path}-problem`} list={problems} />
    </fieldset>
  )
}

function ArrayField({ schema, value, onChange, path, label, labelSuffix, ctx }: FieldProps) {
  const { t } = useI18n()
  const list = Array.isArray(value) ? value : []
  const problems = ctx.problems.get(path)
  const item = schema.items!
  const set = (next: unknown[]) => onChange(next)
  return (
    <fieldset className={`fieldset fieldset-list${problems ? ' has-problem' : ''}`} data-field={path}>
      <legend>
        {label}
        {labelSuffix ? <span className="sr-only"> {labelSuffix}</span> : null}
      </legend>
      {list.map((entry, index) => (
        <div key={index} className="list-item" data-testid="list-item">
          <span className="list-no" aria-hidden="true">
            {index + 1}
          </span>
          <div className="list-fields">
            <SchemaField
              schema={item}
              value={entry}
              path={`${path}[${index}]`}
              label={isObject(entry) || typesOf(item).includes('object') ? label : label}
              labelSuffix={String(index + 1)}
              ctx={ctx}
              onChange={(next) => set(list.map((old, i) => (i === index ? next : old)))}
            />
          </div>
          <div className="list-actions">
            <button
              type="button"
              className="btn btn-ghost btn-small"
              disabled={index === 0}
              onClick={() => set(list.map((_, i) => list[i === index - 1 ? index : i === index ? index - 1 : i]))}
              aria-label={`${t('form.up')} ${label} ${index + 1}`}
            >
              ↑
            </button>
            <button type="button" className="btn btn-ghost btn-small" onClick={() => set(list.filter((_, i) => i !== index))} aria-label={`${t('form.remove')} ${label} ${index + 1}`}>
              ✕
            </button>
          </div>
        </div>
      ))}
      <button type="button" className="btn btn-small" onClick={() => set([...list, emptyValue(item)])}>
        {t('form.add')}: {label}
      </button>
      <Problems id={`${path}-problem`} list={problems} />
    </fieldset>
  )
}

function VariantField(props: FieldProps & { variants: JsonSchema[] }) {
  const { variants, value, onChange, label, labelSuffix } = props
  const { t } = useI18n()
  const id = useId()
  const [chosen, setChosen] = useState(() => pickVariant(variants, value))
  const name = (v: JsonSchema, i: number) => v.description ?? (v.const !== undefined ? String(v.const) : typesOf(v).join('|') || `#${i + 1}`)
  return (
    <div className="field field-variant">
      <label htmlFor={id} className="field-label">
        {label}
        {labelSuffix ? <span className="sr-only"> {labelSuffix}</span> : null} · {t('form.form')}
      </label>
      <select
        id={id}
        className="input"
        value={chosen}
        onChange={(e) => {
          const next = Number(e.target.value)
          setChosen(next)
          onChange(emptyValue(variants[next]))
        }}
      >
        {variants.map((v, i) => (
          <option key={i} value={i}>
            {name(v, i)}
          </option>
        ))}
      </select>
      <SchemaField {...props} schema={variants[chosen]} />
    </div>
  )
}

/** Anything else: its JSON, applied when it parses. */
function JsonField({ value, onChange, label, labelSuffix, problems }: FieldProps & { problems?: string[] }) {
  const id = useId()
  const { t } = useI18n()
  const [text, setText] = useState(() => (value === undefined ? '' : JSON.stringify(value, null, 2)))
  const [bad, setBad] = useState(false)
  return (
    <div className={`field${problems || bad ? ' has-problem' : ''}`}>
      <Label htmlFor={id} label={label} suffix={labelSuffix} />
      <textarea
        id={id}
        className="input mono"
        rows={3}
        value={text}
        onChange={(e) => {
          setText(e.target.value)
          if (e.target.value.trim() === '') {
            setBad(false)
            return onChange(undefined)
          }
          try {
            onChange(JSON.parse(e.target.value))
            setBad(false)
          } catch {
            setBad(true)
          }
        }}
      />
      <Problems id={`${id}-problem`} list={bad ? [t('form.badJson'), ...(problems ?? [])] : problems} />
    </div>
  )
}
