/** The namespaces of Bpium's dialect (docs/bpmn.md): elements are resolved by these URIs. */
export const NS = {
  bpmn: 'http://www.omg.org/spec/BPMN/20100524/MODEL',
  bpmndi: 'http://www.omg.org/spec/BPMN/20100524/DI',
  dc: 'http://www.omg.org/spec/DD/20100524/DC',
  di: 'http://www.omg.org/spec/DD/20100524/DI',
  camunda: 'http://camunda.org/schema/1.0/bpmn',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
} as const

/** The prefix the exporter writes for each namespace (the ones Bpium's editor writes). */
export const PREFIX: Record<keyof typeof NS, string> = { bpmn: 'bpmn', bpmndi: 'bpmndi', dc: 'dc', di: 'di', camunda: 'camunda', xsi: 'xsi' }

/** Shape sizes of the dialect: every node 64×64, boundary events 24×24. */
export const NODE_SIZE = 64
export const BOUNDARY_SIZE = 24
