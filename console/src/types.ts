/** The shapes the management API answers (docs/server.md), taken from the runtime's own types. */
export type { Scenario, ScenarioNode, ScenarioEdge, StepRecord, ProcessStatus, ProcessError, Variables, VariableWrite } from '../../runtime/types.ts'
export type { ProcessRecord, ScenarioRecord, WebRequestRecord, StoredResponse, Page } from '../../store/port.ts'

/** One validation problem: a JSON path in the document and a sentence. */
export interface Problem {
  path: string
  message: string
}
export type { Catalog, CatalogField, CatalogEvent, CatalogRecord, RecordPage } from '../../store/records-port.ts'
