/**
 * The palette: every registered component, grouped as Bpium groups them (system, actions,
 * data, communications), each a button named by its display name in the chosen language.
 * Drag one onto the canvas to place it there, or press it (Enter / Space / click) to add it
 * after the selected node, connected to it.
 */
import { useState, type DragEvent } from 'react'
import { NodeIcon } from '../graph/icons.tsx'
import { useI18n } from '../i18n.ts'
import type { MessageKey } from '../messages.ts'
import { GROUPS, type ComponentInfo } from './components.ts'
import { DRAG_TYPE } from './EditorCanvas.tsx'

export function Palette({ components, onInsert }: { components: readonly ComponentInfo[]; onInsert: (type: string) => void }) {
  const { t, lang } = useI18n()
  const [filter, setFilter] = useState('')
  const wanted = filter.trim().toLowerCase()
  const shown = components.filter((c) => !wanted || c.displayName[lang].toLowerCase().includes(wanted) || c.type.toLowerCase().includes(wanted))
  const onDragStart = (event: DragEvent, type: string) => {
    event.dataTransfer.setData(DRAG_TYPE, type)
    event.dataTransfer.effectAllowed = 'copy'
  }
  return (
    <nav className="palette" aria-label={t('editor.palette')} data-testid="palette">
      <input className="input input-small" type="search" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder={t('editor.paletteFilter')} aria-label={t('editor.paletteFilter')} />
      {GROUPS.map((group) => {
        const items = shown.filter((c) => c.group === group)
        if (!items.length) return null
        return (
          <section key={group} className="palette-group" aria-labelledby={`palette-${group}`}>
            <h3 id={`palette-${group}`}>{t(`editor.group.${group}` as MessageKey)}</h3>
            {items.map((c) => (
              <button
                key={c.type}
                type="button"
                className="palette-item"
                draggable
                onDragStart={(e) => onDragStart(e, c.type)}
                onClick={() => onInsert(c.type)}
                title={`${c.type} — ${t('editor.paletteHint')}`}
                data-type={c.type}
              >
                <span aria-hidden="true">
                  <NodeIcon type={c.type} size={14} />
                </span>
                {c.displayName[lang]}
              </button>
            ))}
          </section>
        )
      })}
    </nav>
  )
}
