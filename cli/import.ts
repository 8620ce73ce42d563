/**
 * `potok import <file.bpmn> [-o scenario.json] [--placeholders] [--id <id>]`: a Bpium .bpmn file
 * as a potok scenario (docs/bpmn.md). The scenario JSON goes to stdout (or to `-o`), the import
 * report to stderr. Exit 0 when every element was mapped and the scenario is valid; 1 when
 * something could not be mapped or the result is invalid (it is printed all the same); 2 when
 * the file cannot be read or is refused (not XML, not BPMN, hostile, too large).
 */
import { defineCommand } from 'citty'
import { readFile, stat, writeFile } from 'node:fs/promises'
import { basename, extname } from 'node:path'
import { importBpmn, type ImportReport } from '../bpmn/import.ts'
import { DEFAULT_MAX_BPMN_BYTES } from '../bpmn/parse.ts'
import { PotokError } from '../runtime/index.ts'
import { CliError, withCliErrors } from './files.ts'

export const importCommand = defineCommand({
  meta: { name: 'import', description: 'Turn a Bpium .bpmn file into a potok scenario (JSON on stdout, report on stderr).' },
  args: {
    file: { type: 'positional', description: 'BPMN file', required: true },
    output: { type: 'string', alias: 'o', description: 'write the scenario to this file instead of stdout' },
    placeholders: { type: 'boolean', description: 'replace unsupported elements with nodes that fail when reached' },
    id: { type: 'string', description: "the scenario id (default: the process id, or the file's name for Bpium's Process_1)" },
  },
  run: ({ args }) =>
    withCliErrors(async () => {
      let xml: string
      try {
        // The size is checked before reading: a huge file (or /dev/zero) is refused, never loaded.
        const info = await stat(args.file)
        if (!info.isFile()) throw new CliError(`${args.file}: not a regular file`)
        if (info.size > DEFAULT_MAX_BPMN_BYTES) throw new CliError(`${args.file}: the BPMN document is larger than ${DEFAULT_MAX_BPMN_BYTES} bytes (${info.size})`)
        xml = await readFile(args.file, 'utf8')
      } catch (error) {
        if (error instanceof CliError) throw error
        throw new CliError(`${args.file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`)
      }
      let result: ReturnType<typeof importBpmn>
      try {
        result = importBpmn(xml.replace(/^\uFEFF/, ''), { placeholders: Boolean(args.placeholders), id: args.id || undefined })
      } catch (error) {
        if (error instanceof PotokError) throw new CliError(`${args.file}: ${error.message}`)
        throw error
      }
      const { scenario, report } = result
      if (!args.id && /^Process_[0-9A-Za-z]+$/.test(scenario.id)) {
        // Bpium names every process Process_1: the file's name says more.
        const fromFile = basename(args.file, extname(args.file))
          .replace(/[^A-Za-z0-9_-]/g, '-')
          .slice(0, 64)
        if (fromFile) scenario.id = report.scenarioId = fromFile
      }
      const text = `${JSON.stringify(scenario, null, 2)}\n`
      if (args.output) await writeFile(args.output, text)
      else process.stdout.write(text)
      process.stderr.write(describeReport(args.file, report))
      return report.complete && report.valid ? 0 : 1
    }),
})

/** The report as lines a person reads: what was not mapped, what was guessed, what is invalid. */
export function describeReport(file: string, report: ImportReport): string {
  const lines: string[] = []
  for (const u of report.unsupported) {
    const what = u.connectorId !== undefined ? `connector ${u.connectorId ?? '(none)'}` : `element ${u.element}`
    lines.push(`${file}: unsupported: ${u.elementId}${u.name ? ` «${u.name}»` : ''}: ${what}${u.placeholder ? ' (replaced by a failing placeholder)' : ''}`)
  }
  for (const c of report.connections ?? []) {
    const settings = Object.entries(c.config)
      .map(([key, value]) => `${key} ${value}`)
      .join(', ')
    lines.push(`${file}: create connection: "${c.id}" (type ${c.type}${settings ? `: ${settings}` : ''}; enter its password) for ${c.elementIds.join(', ')}`)
  }
  for (const w of report.warnings) lines.push(`${file}: warning: ${w.elementId ? `${w.elementId}: ` : ''}${w.message}`)
  for (const r of report.renamed) lines.push(`${file}: renamed: ${r.elementId} → ${r.nodeId}`)
  for (const i of report.ignored) lines.push(`${file}: ignored: ${i.element}${i.elementId ? ` ${i.elementId}` : ''}`)
  for (const p of report.problems) lines.push(`${file}: invalid: ${p.path}: ${p.message}`)
  const verdict =
    report.complete && report.valid
      ? 'every element mapped; the scenario is valid'
      : `${report.unsupported.length} element(s) not mapped; the scenario is ${report.valid ? 'valid' : `invalid (${report.problems.length} problem(s))`}`
  lines.push(`${file}: scenario "${report.scenarioId}": ${verdict}`)
  return `${lines.join('\n')}\n`
}
