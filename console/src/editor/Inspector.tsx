/**
 * The side panel of the editor: the selected node's settings (id, name, the activity a boundary
 * event is attached to, and its config as a form generated from the component's schema), the
 * selected edge's condition / default / name, or — with nothing selected — the scenario's own
 * id, name and description. Validation problems appear on the fields they concern.
 */
import { useId, useMemo, type ReactNode } from 'react'
import { shapeOf } from '../graph/model.ts'
import { useI18n } from '../i18n.ts'
import type { Problem } from '../types.ts'
import type { ComponentInfo } from './components.ts'
import { renameNode, updateEdge, updateNode, type EditorDocument } from './document.ts'
import { ExpressionField } from './ExpressionField.tsx'
import { knownVariables } from './knownVariables.ts'
import { SchemaField } from './SchemaForm.tsx'
import type { Selection } from './EditorCanvas.tsx'

export interface InspectorProps {
  doc: EditorDocument
  onChange: (doc: EditorDocument, group?: string) => void
  selection: Selection
  problems: readonly Problem[]
  components: readonly ComponentInfo[]
  onDelete: () => void
  /** The scenario id can change only before the first save. */
  idEditable: boolean
  /** A node got a new id (the selection follows it). */
  onRenamed: (from: string, to: string) => void
}

/** Problems under `prefix` (e.g. `nodes[2].config`), by the rest of their path. */
function problemsUnder(problems: readonly Problem[], prefix: string): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const p of problems) {
    if (!prefix) {
      out.set(p.path, [...(out.get(p.path) ?? []), p.message])
      continue
    }
    if (p.path !== prefix && !p.path.startsWith(`${prefix}.`) && !p.path.startsWith(`${prefix}[`)) continue
    const rest = p.path.slice(prefix.length).replace(/^\./, '')
    out.set(rest, [...(out.get(rest) ?? []), p.message])
  }
  return out
}

function Field({ label, children, problems, id }: { label: string; children: ReactNode; problems?: string[]; id: string }) {
  return (
    <div className={`field${problems?.length ? ' has-problem' : ''}`}>
      <label htmlFor={id} className="field-label">
        {label}
      </label>
      {children}
      {problems?.length ? (
        <div className="field-problem" role="alert" data-testid="field-problem">
          {problems.join('; ')}
        </div>
      ) : null}
    </div>
  )
}

export function Inspector(props: InspectorProps) {
  const { selection, doc } = props
  if (selection.nodes.length === 1) {
    const index = doc.nodes.findIndex((n) => n.id === selection.nodes[0])
    if (index >= 0) return <NodeInspector key={`node:${doc.nodes[index].id}`} {...props} index={index} />
  }
  if (selection.edges.length === 1 && !selection.nodes.length && doc.edges[selection.edges[0]]) return <EdgeInspector key={`edge:${selection.edges[0]}`} {...props} index={selection.edges[0]} />
  return <ScenarioInspector {...props} />
}

function ScenarioInspector({ doc, onChange, problems, idEditable }: InspectorProps) {
  const { t } = useI18n()
  const ids = { id: useId(), name: useId(), description: useId() }
  const at = problemsUnder(problems, '')
  return (
    <div className="inspector" data-testid="inspector">
      <h2 className="inspector-title">{t('editor.scenario')}</h2>
      <Field id={ids.id} label={t('editor.scenarioId')} problems={at.get('id')}>
        <input id={ids.id} className="input" value={doc.id} readOnly={!idEditable} onChange={(e) => onChange({ ...doc, id: e.target.value }, 'scenario-id')} />
      </Field>
      <Field id={ids.name} label={t('editor.scenarioName')} problems={at.get('name')}>
        <input id={ids.name} className="input" value={doc.name ?? ''} onChange={(e) => onChange({ ...doc, name: e.target.value || undefined }, 'scenario-name')} />
      </Field>
      <Field id={ids.description} label={t('editor.description')} problems={at.get('description')}>
        <textarea
          id={ids.description}
          className="input"
          rows={2}
          value={doc.description ?? ''}
          onChange={(e) => onChange({ ...doc, description: e.target.value || undefined }, 'scenario-description')}
        />
      </Field>
      <p className="muted small">{t('editor.inspectorHint')}</p>
    </div>
  )
}

function NodeInspector({ doc, onChange, problems, components, onDelete, onRenamed, index }: InspectorProps & { index: number }) {
  const { t, lang } = useI18n()
  const node = doc.nodes[index]
  const component = components.find((c) => c.type === node.type)
  const ids = { id: useId(), name: useId(), host: useId() }
  const prefix = `nodes[${index}]`
  const at = problemsUnder(problems, prefix)
  const configProblems = useMemo(() => problemsUnder(problems, `${prefix}.config`), [problems, prefix])
  const variables = useMemo(() => knownVariables(doc, node.id), [doc, node.id])
  const general = [...at.entries()].filter(([path]) => !['id', 'name', 'attachedTo'].includes(path) && !path.startsWith('config')).flatMap(([, list]) => list)
  const activities = doc.nodes.filter((n) => shapeOf(n.type) === 'activity')
  const set = (next: typeof node, group: string) =>
    onChange(
      updateNode(doc, node.id, () => next),
      `${node.id}:${group}`,
    )
  return (
    <div className="inspector" data-testid="inspector" data-node={node.id}>
      <h2 className="inspector-title">
        {component?.displayName[lang] ?? node.type} <code className="muted small">{node.type}</code>
      </h2>
      {general.length ? (
        <div className="field-problem" role="alert">
          {general.join('; ')}
        </div>
      ) : null}
      <Field id={ids.id} label={t('editor.nodeId')} problems={at.get('id')}>
        <input
          id={ids.id}
          className="input"
          defaultValue={node.id}
          key={node.id}
          onBlur={(e) => {
            const wanted = e.target.value.trim()
            const next = renameNode(doc, node.id, wanted)
            if (next === doc) return
            onChange(next)
            onRenamed(node.id, wanted)
          }}
          onKeyDown={(e) => e.key === 'Enter' && (e.target as HTMLInputElement).blur()}
        />
      </Field>
      <Field id={ids.name} label={t('editor.nodeName')} problems={at.get('name')}>
        <input id={ids.name} className="input" value={node.name ?? ''} onChange={(e) => set({ ...node, name: e.target.value || undefined }, 'name')} />
      </Field>
      {component?.kind === 'boundary' ? (
        <Field id={ids.host} label={t('editor.attachedTo')} problems={at.get('attachedTo')}>
          <select id={ids.host} className="input" value={node.attachedTo ?? ''} onChange={(e) => set({ ...node, attachedTo: e.target.value || undefined }, 'host')}>
            <option value="">—</option>
            {activities.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name?.trim() || a.id}
              </option>
            ))}
          </select>
        </Field>
      ) : null}
      {component ? (
        <div className="config-form" data-testid="config-form">
          {Object.keys(component.configSchema.properties ?? {}).length ? <h3>{t('editor.settings')}</h3> : <p className="muted small">{t('editor.noSettings')}</p>}
          <SchemaField
            schema={component.configSchema}
            value={node.config ?? {}}
            path=""
            label={t('editor.settings')}
            ctx={{ problems: configProblems, variables }}
            onChange={(config) => set({ ...node, config: isEmptyObject(config) ? undefined : config }, 'config')}
          />
        </div>
      ) : (
        <div className="field-problem">{t('editor.unknownType', { type: node.type })}</div>
      )}
      <button type="button" className="btn btn-danger btn-small" onClick={onDelete}>
        {t('editor.deleteNode')}
      </button>
    </div>
  )
}

const isEmptyObject = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0

function EdgeInspector({ doc, onChange, problems, onDelete, index }: InspectorProps & { index: number }) {
  const { t } = useI18n()
  const edge = doc.edges[index]
  const from = doc.nodes.find((n) => n.id === edge.from)
  const ids = { condition: useId(), isDefault: useId(), name: useId() }
  const at = problemsUnder(problems, `edges[${index}]`)
  const gateway = from?.type === 'exclusiveGateway'
  const variables = useMemo(() => knownVariables(doc, edge.from), [doc, edge.from])
  const set = (patch: Partial<typeof edge>, group: string) =>
    onChange(
      updateEdge(doc, index, (e) => {
        const next = { ...e, ...patch }
        for (const key of Object.keys(patch) as Array<keyof typeof edge>) if (next[key] === undefined) delete next[key]
        return next
      }),
      `edge${index}:${group}`,
    )
  const general = [...at.entries()].filter(([path]) => !['condition', 'default', 'name'].includes(path)).flatMap(([, list]) => list)
  return (
    <div className="inspector" data-testid="inspector" data-edge={index}>
      <h2 className="inspector-title">
        {t('editor.edge')}{' '}
        <code className="small">
          {edge.from} → {edge.to}
        </code>
      </h2>
      {general.length ? (
        <div className="field-problem" role="alert">
          {general.join('; ')}
        </div>
      ) : null}
      {gateway ? (
        <>
          <div className="field field-check">
            <input
              id={ids.isDefault}
              type="checkbox"
              checked={edge.default === true}
              onChange={(e) => set(e.target.checked ? { default: true, condition: undefined } : { default: undefined }, 'default')}
            />
            <label htmlFor={ids.isDefault} className="field-label">
              {t('editor.edgeDefault')}
            </label>
          </div>
          {edge.default !== true ? (
            <div className={`field${at.get('condition') ? ' has-problem' : ''}`}>
              <label htmlFor={ids.condition} className="field-label">
                {t('editor.edgeCondition')}
              </label>
              <ExpressionField
                id={ids.condition}
                value={edge.condition ?? ''}
                onChange={(v) => set({ condition: v || undefined }, 'condition')}
                variables={variables}
                label={t('editor.edgeCondition')}
                invalid={!!at.get('condition')}
                placeholder="body.total > 100"
              />
              {at.get('condition') ? (
                <div className="field-problem" role="alert" data-testid="field-problem">
                  {at.get('condition')!.join('; ')}
                </div>
              ) : null}
            </div>
          ) : null}
        </>
      ) : (
        <p className="muted small">{t('editor.edgePlain')}</p>
      )}
      <Field id={ids.name} label={t('editor.edgeName')} problems={at.get('name')}>
        <input id={ids.name} className="input" value={edge.name ?? ''} onChange={(e) => set({ name: e.target.value || undefined }, 'name')} />
      </Field>
      <button type="button" className="btn btn-danger btn-small" onClick={onDelete}>
        {t('editor.deleteEdge')}
      </button>
    </div>
  )
}
