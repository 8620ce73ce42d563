/**
 * The component list: adding a component is adding its file and one line here. Entry points
 * hand it to the engine with `registerComponents()`.
 * docs/scenarios.md and docs/components.md say what each does.
 */
import { useComponents } from '../runtime/registry.ts'
import type { Component } from '../runtime/types.ts'
import { catalogStructure } from './catalogStructure.ts'
import { code } from './code.ts'
import { convert } from './convert.ts'
import { createRecord } from './createRecord.ts'
import { deleteRecord } from './deleteRecord.ts'
import { fileUpload } from './fileUpload.ts'
import { findRecords } from './findRecords.ts'
import { getRecord } from './getRecord.ts'
import { updateRecord } from './updateRecord.ts'
import { end } from './end.ts'
import { errorBoundary } from './errorBoundary.ts'
import { errorEnd } from './errorEnd.ts'
import { exclusiveGateway } from './exclusiveGateway.ts'
import { parallelGateway } from './parallelGateway.ts'
import { parser } from './parser.ts'
import { respond } from './respond.ts'
import { sendMail } from './sendMail.ts'
import { setVariables } from './setVariables.ts'
import { start } from './start.ts'
import { subProcess } from './subProcess.ts'
import { timeoutBoundary } from './timeoutBoundary.ts'
import { timer } from './timer.ts'
import { webRequest } from './webRequest.ts'

const all: Component<any>[] = [
  start,
  end,
  errorEnd,
  setVariables,
  exclusiveGateway,
  parallelGateway,
  timer,
  errorBoundary,
  timeoutBoundary,
  respond,
  code,
  webRequest,
  subProcess,
  parser,
  sendMail,
  convert,
  getRecord,
  findRecords,
  createRecord,
  updateRecord,
  deleteRecord,
  catalogStructure,
  fileUpload,
]

export const components: ReadonlyMap<string, Component<any>> = new Map(all.map((c) => [c.type, c]))

/** Hands every node type to the engine (`runtime/registry.ts`); entry points call it once. */
export function registerComponents(): void {
  useComponents(all)
}
