/**
 * Each fixture (written for potok in Bpium's dialect) imported, validated, and run end to end
 * with `startProcess` against a small upstream API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { exportBpmn } from '../../bpmn/export.ts'
import { importBpmn } from '../../bpmn/import.ts'
import { startProcess } from '../../runtime/process.ts'
import { validateScenario } from '../../runtime/scenario.ts'
import type { Scenario } from '../../runtime/types.ts'
import { fixture, fixtureNames, startUpstream } from './helpers.ts'

let upstream: Awaited<ReturnType<typeof startUpstream>>
beforeAll(async () => {
  upstream = await startUpstream()
})
afterAll(() => upstream.close())

const node = (scenario: Scenario, id: string) => scenario.nodes.find((n) => n.id === id)!
const run = (scenario: Scenario, input: Record<string, unknown>) => startProcess(scenario, { method: 'POST', headers: {}, query: {}, body: {}, ...input })

describe('every fixture', () => {
  it.each(fixtureNames().filter((name) => name !== 'unsupported'))('%s imports complete and valid', (name) => {
    const { scenario, report } = importBpmn(fixture(name))
    expect(report.unsupported).toEqual([])
    expect(report.problems).toEqual([])
    expect(report).toMatchObject({ complete: true, valid: true })
    expect(validateScenario(scenario).ok).toBe(true)
  })
})

describe('a Tilda-style form handler: webhook body → setvar → webRequest → answer', () => {
  const { scenario, report } = importBpmn(fixture('tilda-form'))

  it('maps the setvar rows in document order, dotted names, "" left out and "\'\'" kept', () => {
    expect(node(scenario, 'ServiceTask_0lead01')).toMatchObject({
      type: 'setVariables',
      name: 'Поля формы',
      documentation: expect.stringContaining('Tilda posts the form'),
      position: { x: 228, y: 243 },
    })
    const rows = (node(scenario, 'ServiceTask_0lead01').config as any).assignments
    expect(rows.map((r: any) => r.name)).toEqual(['lead.name', 'lead.phone', 'lead.email', 'lead.comment', 'lead.receivedAt', 'crmUrl'])
    expect(rows[3]).toEqual({ name: 'lead.comment', value: "''" })
    expect(report.warnings).toEqual([{ elementId: 'ServiceTask_0lead01', message: 'the row for "lead.unused" has no value: left out' }])
  })

  it('maps the web request: method, URL, key/value params as form fields (Bpium ignores `type` for key/value), headers, basic auth, outputs', () => {
    expect(node(scenario, 'ServiceTask_0crm001')).toMatchObject({
      type: 'webRequest',
      position: { x: 392.5, y: 243 },
      config: {
        method: 'POST',
        url: 'crmUrl',
        body: {
          fields: [
            { name: 'title', value: '`Заявка: ${lead.name}`' },
            { name: 'phone', value: 'lead.phone' },
            { name: 'email', value: 'lead.email' },
            { name: 'source', value: '({\n  form: body.formid,\n  tranid: body.tranid,\n})' },
          ],
        },
        headers: [{ name: 'X-Source', value: "'tilda'" }],
        auth: { type: 'basic', login: "'site'", password: "'crm-pass'" },
        waitForResponse: true,
        responseFormat: 'json',
        bodyTo: 'crm.reply',
      },
    })
    expect((node(scenario, 'ServiceTask_0crm001').config as any).query).toBeUndefined()
    expect(report.ignored).toEqual([{ elementId: 'TextAnnotation_0note', element: 'textAnnotation' }])
    expect(node(scenario, 'StartEvent_0tilda1').name).toBe('Заявка с сайта')
    expect(node(scenario, 'EndEvent_0tilda9').name).toBeUndefined()
  })

  it('runs: the lead goes to the CRM as a form (as Bpium sends key/value parameters) with basic auth, Tilda gets "ok"', async () => {
    const result = await run(scenario, { query: { crm: `${upstream.url}/leads` }, body: { Name: ' Анна ', Phone: '+7 (900) 000-00-00', Email: 'ANN@EXAMPLE.COM', formid: 'form1', tranid: 't-1' } })
    expect(result.error).toBeNull()
    expect(result.status).toBe('completed')
    expect(result.output.$body).toBe('ok')
    expect(result.output.$headers).toEqual({ 'X-Lead-Id': '42' })
    const sent = upstream.received.find((r) => r.url === '/leads')!
    expect(sent.method).toBe('POST')
    expect(sent.headers['content-type']).toBe('application/x-www-form-urlencoded')
    expect(sent.headers.authorization).toBe(`Basic ${Buffer.from('site:crm-pass').toString('base64')}`)
    expect(sent.headers['x-source']).toBe('tilda')
    expect(Object.fromEntries(new URLSearchParams(sent.body))).toEqual({ title: 'Заявка: Анна', phone: '+79000000000', email: 'ann@example.com', source: '{"form":"form1","tranid":"t-1"}' })
  })
})

describe('a loop with an exclusive gateway and a throttling timer', () => {
  const { scenario } = importBpmn(fixture('loop-throttle'))

  it('maps the gateway, its JSON-wrapped condition, the default flow and the timer', () => {
    expect(scenario.description).toBe('Fetches every item one by one, pausing between requests so the API is not flooded.')
    expect(node(scenario, 'ExclusiveGateway_1more')).toEqual({ id: 'ExclusiveGateway_1more', type: 'exclusiveGateway', name: 'i < ids.length', position: { x: 236, y: 243 } })
    expect(node(scenario, 'IntermediateCatchEvent_1wait')).toMatchObject({ type: 'timer', name: 'PT0.02S', config: { pause: 'PT0.02S' } })
    const fromGateway = scenario.edges.filter((e) => e.from === 'ExclusiveGateway_1more')
    expect(fromGateway).toEqual([
      { id: 'SequenceFlow_1next', from: 'ExclusiveGateway_1more', to: 'ServiceTask_1fetch0', name: 'ещё', condition: 'i < _.size(ids)' },
      { id: 'SequenceFlow_1done', from: 'ExclusiveGateway_1more', to: 'ServiceTask_1answer', default: true },
    ])
    // A GET request's key/value parameters are its query; an empty camunda:list of headers is none.
    expect(node(scenario, 'ServiceTask_1fetch0').config).toMatchObject({ method: 'GET', query: [{ name: 'n', value: 'i + 1' }] })
    expect((node(scenario, 'ServiceTask_1fetch0').config as any).headers).toBeUndefined()
  })

  it('runs the loop, pausing between requests', async () => {
    const before = upstream.received.length
    const started = Date.now()
    const result = await run(scenario, { query: { api: upstream.url }, body: { ids: ['x', 'y', 'z'] } })
    expect(result.error).toBeNull()
    expect(result.output.$body).toEqual({ count: 3, names: ['item-x', 'item-y', 'item-z'] })
    expect(upstream.received.slice(before).map((r) => r.url)).toEqual(['/items/x?n=1', '/items/y?n=2', '/items/z?n=3'])
    expect(Date.now() - started).toBeGreaterThanOrEqual(60)
  })
})

describe('code using _ and moment', () => {
  const { scenario } = importBpmn(fixture('code-lodash-moment'))

  it('maps variables → inputs, source → code, output → saveTo; an empty camunda:list is no inputs', () => {
    expect(node(scenario, 'ServiceTask_2group0')).toMatchObject({
      type: 'code',
      documentation: 'Totals per customer with lodash; the due date with moment.',
      config: {
        inputs: [
          { name: 'orders', value: expect.stringContaining("клиент: 'Анна'") },
          { name: 'days', value: '3' },
        ],
        saveTo: 'report',
        timeoutMs: 5000,
      },
    })
    expect((node(scenario, 'ServiceTask_2group0').config as any).code).toContain('\r\nconst итого')
    expect(node(scenario, 'ServiceTask_2leap00').config).toMatchObject({ inputs: [], saveTo: 'report.leap' })
  })

  it('runs with lodash, moment, Cyrillic identifiers and trailing commas', async () => {
    const result = await run(scenario, {})
    expect(result.error).toBeNull()
    expect(result.output.$body).toEqual({ итого: { Анна: 125, Борис: 50 }, customers: ['Анна', 'Борис'], due: '2024-02-02', weekday: 'Friday', leap: '2025-02-28', top: 'Анна' })
  })
})

describe('error boundaries writing code and message variables, and a timer boundary', () => {
  const { scenario } = importBpmn(fixture('error-boundary'))

  it('maps camunda:errorCodeVariable/errorMessageVariable, a bare error boundary and a timer boundary', () => {
    expect(node(scenario, 'BoundaryEvent_3bad00')).toEqual({
      id: 'BoundaryEvent_3bad00',
      type: 'errorBoundary',
      name: 'Ошибка разбора',
      position: { x: 280, y: 231 },
      attachedTo: 'ServiceTask_3parse0',
      config: { codeTo: 'errCode', messageTo: 'errMsg' },
    })
    expect(node(scenario, 'BoundaryEvent_3down0')).toEqual({ id: 'BoundaryEvent_3down0', type: 'errorBoundary', position: { x: 444, y: 231 }, attachedTo: 'ServiceTask_3fetch0' })
    expect(node(scenario, 'BoundaryEvent_3late0')).toMatchObject({ type: 'timeoutBoundary', attachedTo: 'ServiceTask_3fetch0', config: { after: 'PT0.2S' } })
  })

  it('a throwing code node goes through the boundary with its code and message', async () => {
    const result = await run(scenario, { query: { api: upstream.url }, body: { payload: '{not json' } })
    expect(result.status).toBe('completed')
    expect(result.output.$status).toBe(400)
    expect(result.output.$body).toMatchObject({ code: 'CODE_ERROR', message: expect.stringMatching(/SyntaxError/) })
    expect(result.output.errCode).toBe('CODE_ERROR')
  })

  it('the happy path, the timer boundary, and the bare error boundary', async () => {
    const ok = await run(scenario, { query: { api: upstream.url }, body: { payload: '{"id":"a"}' } })
    expect(ok.output.$body).toEqual({ id: 'a', item: { name: 'item-a', n: null } })

    const started = Date.now()
    const slow = await run(scenario, { query: { api: upstream.url }, body: { payload: '{"id":"b","slow":true}' } })
    expect(slow.output.$body).toEqual({ id: 'b', item: { name: null, timedOut: true } })
    expect(Date.now() - started).toBeLessThan(1500)

    const down = await run(scenario, { query: { api: 'http://127.0.0.1:1' }, body: { payload: '{"id":"c"}' } })
    expect(down.status).toBe('completed')
    expect(down.output.$status).toBe(502)
  })
})

describe('a parallel split', () => {
  const { scenario } = importBpmn(fixture('parallel-split'))

  it('maps parallel gateways and an implicit fork; elements found by namespace URI whatever the prefix', () => {
    expect(scenario.id).toBe('parallel_orders')
    expect(scenario.name).toBe('Два склада')
    expect(scenario.edges.filter((e) => e.from === 'Task_4prep').map((e) => e.to)).toEqual(['Task_4north', 'Timer_4'])
    expect(node(scenario, 'Join_4a').type).toBe('parallelGateway')
    expect(node(scenario, 'Split_4b')).toEqual({ id: 'Split_4b', type: 'parallelGateway', name: 'Шлюз «И»' })
    expect(scenario.nodes.every((n) => n.position === undefined)).toBe(true)
  })

  it('runs both branches and joins them', async () => {
    const result = await run(scenario, {})
    expect(result.error).toBeNull()
    expect(result.output.$body).toEqual({ total: 12, names: ['north', 'south'] })
  })
})

describe('unsupported connectors', () => {
  const xml = fixture('unsupported')
  const SECRETS = ['FAKE-SMTP-SECRET-7f3a9c', 'FAKE-API-KEY-19be22', 'smtp.example.com', 'robot@example.com']

  it('are reported by element id, name and connector id; validation names them', () => {
    const { scenario, report } = importBpmn(xml)
    expect(report.complete).toBe(false)
    expect(report.valid).toBe(false)
    expect(report.unsupported).toEqual([
      { elementId: 'ServiceTask_5mail00', nodeId: 'ServiceTask_5mail00', name: 'Отправка почты', element: 'serviceTask', connectorId: 'sendMail', placeholder: false },
      { elementId: 'ServiceTask_5future', nodeId: 'ServiceTask_5future', name: 'Что-то новое', element: 'serviceTask', connectorId: 'someFutureConnector', placeholder: false },
    ])
    const problems = validateScenario(scenario)
    expect(problems.ok).toBe(false)
    const messages = problems.ok ? [] : problems.problems.map((p) => `${p.path}: ${p.message}`)
    expect(messages).toContain('nodes[2].type: unknown component type "bpium:sendMail" (node "ServiceTask_5mail00")')
    // Bpium's data actions are supported: «Создать запись» is a createRecord node.
    expect(node(scenario, 'ServiceTask_5add000')).toMatchObject({ type: 'createRecord', config: { catalogId: '74' } })
    expect(messages).toContain('nodes[5].type: unknown component type "bpium:someFutureConnector" (node "ServiceTask_5future")')
    expect(node(scenario, 'ServiceTask_5mail00').config).toBeUndefined()
  })

  it('never carry their parameters into the report, the problems or the scenario', () => {
    for (const placeholders of [false, true]) {
      const everything = JSON.stringify(importBpmn(xml, { placeholders }))
      for (const secret of SECRETS) expect(everything).not.toContain(secret)
    }
  })

  it('with placeholders: the scenario is valid, and the failing placeholder goes through the error boundary', async () => {
    const { scenario, report } = importBpmn(xml, { placeholders: true })
    expect(report.valid).toBe(true)
    expect(report.complete).toBe(false)
    expect(report.unsupported.every((u) => u.placeholder)).toBe(true)
    expect(node(scenario, 'ServiceTask_5mail00')).toMatchObject({ type: 'setVariables', name: 'Отправка почты', position: { x: 392, y: 243 } })
    const result = await run(scenario, { body: { email: 'bob@example.com' } })
    expect(result.status).toBe('completed')
    expect(result.output.$status).toBe(503)
    expect(result.output.$body).toMatchObject({ mailed: false, to: 'bob@example.com', reason: expect.stringContaining('sendMail') })
    expect(String((result.output.$body as any).reason)).toMatch(/not supported by potok/)
  })

  it('with placeholders and no boundary, the process fails at the placeholder naming the connector', async () => {
    const { scenario } = importBpmn(xml, { placeholders: true })
    const bare: Scenario = {
      ...scenario,
      nodes: scenario.nodes.filter((n) => !['BoundaryEvent_5mail0', 'ServiceTask_5failed', 'EndEvent_5bad000'].includes(n.id)),
      edges: scenario.edges.filter((e) => !['BoundaryEvent_5mail0', 'ServiceTask_5failed'].includes(e.from)),
    }
    const result = await run(bare, {})
    expect(result.status).toBe('failed')
    expect(result.error).toMatchObject({ nodeId: 'ServiceTask_5mail00', message: expect.stringContaining('sendMail') })
  })
})

describe('mapping details', () => {
  const wrap = (inner: string, extra = '') => `<?xml version="1.0"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="D">
  <bpmn:process id="p" isExecutable="false">
    <bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>
    ${inner}
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t"/><bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e"/>
  </bpmn:process>${extra}
</bpmn:definitions>`
  const task = (connector: string, params: string) =>
    wrap(`<bpmn:serviceTask id="t"><bpmn:extensionElements>
    <camunda:connector><camunda:connectorId>${connector}</camunda:connectorId></camunda:connector>
    <camunda:inputOutput>${params}</camunda:inputOutput></bpmn:extensionElements></bpmn:serviceTask>`)
  const script = (name: string, type: string, value: string) =>
    `<camunda:inputParameter name="${name}"><camunda:script scriptFormat="JavaScript"><![CDATA[${JSON.stringify({ type, value })}]]></camunda:script></camunda:inputParameter>`
  const list = (name: string, ...values: string[]) =>
    `<camunda:inputParameter name="${name}"><camunda:list>${values.map((v) => `<camunda:value type="const">${v}</camunda:value>`).join('')}</camunda:list></camunda:inputParameter>`
  const configOf = (xml: string) => importBpmn(xml).scenario.nodes.find((n) => n.id === 't')!.config as any

  it('webRequest: a body format other than keyvalue sends the body expression; async is fire and forget; output_format text', () => {
    const c = configOf(
      task(
        'webRequest',
        list('method', 'PUT') +
          script('query', 'script', "'https://x.example/a'") +
          list('format', 'xml') +
          script('body', 'script', 'doc') +
          list('type', 'application/xml') +
          list('auth', 'bearer') +
          script('token', 'script', 'token') +
          list('async', 'async') +
          list('output_format', 'text'),
      ),
    )
    expect(c).toMatchObject({
      method: 'PUT',
      url: "'https://x.example/a'",
      body: { format: 'xml', value: 'doc' },
      auth: { type: 'bearer', token: 'token' },
      waitForResponse: false,
      responseFormat: 'text',
    })
  })

  it('webRequest: a POST with keyvalue params and a form Content-Type sends form fields; "" body is unset', () => {
    const c = configOf(
      task(
        'webRequest',
        list('method', 'POST') +
          script('query', 'script', 'url') +
          `<camunda:inputParameter name="params"><camunda:map><camunda:entry key="a"><camunda:script scriptFormat="JavaScript"><![CDATA[{"type":"script","value":"1"}]]></camunda:script></camunda:entry></camunda:map></camunda:inputParameter>` +
          script('body', 'script', '') +
          list('type', 'application/x-www-form-urlencoded'),
      ),
    )
    expect(c).toMatchObject({ method: 'POST', body: { fields: [{ name: 'a', value: '1' }] } })
    expect(c.body.value).toBeUndefined()
    expect(c.body.format).toBeUndefined() // a form
  })

  it('a timer intermediate event with timeDuration, an error end event, a start event with a definition', () => {
    const { scenario, report } = importBpmn(
      wrap('<bpmn:intermediateCatchEvent id="t"><bpmn:timerEventDefinition><bpmn:timeDuration>  PT1M  </bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>'),
    )
    expect(scenario.nodes[2]).toEqual({ id: 't', type: 'timer', config: { pause: 'PT1M' } })
    expect(report.valid).toBe(true)
  })

  it('unsupported BPMN elements (a user task) are reported by element; ids that are not potok ids are renamed', () => {
    const { scenario, report } = importBpmn(wrap('<bpmn:userTask id="t" name="Утвердить"/><bpmn:task id="a.b"/>'))
    expect(report.unsupported).toEqual([
      { elementId: 't', nodeId: 't', name: 'Утвердить', element: 'userTask', placeholder: false },
      { elementId: 'a.b', nodeId: 'a_b', element: 'task', placeholder: false },
    ])
    expect(report.renamed).toEqual([{ elementId: 'a.b', nodeId: 'a_b' }])
    expect(scenario.nodes.find((n) => n.id === 't')!.type).toBe('bpmn:userTask')
    // Exported again, an unsupported element is written back as the element it was.
    const xml = exportBpmn(scenario)
    expect(xml).toContain('<bpmn:userTask id="t" name="Утвердить">')
    expect(importBpmn(xml).scenario).toStrictEqual(scenario)
  })

  it('names and text keep character references and Cyrillic', () => {
    const { scenario } = importBpmn(
      wrap('<bpmn:exclusiveGateway id="t" name="a &#60; b &amp; &#x431;"/>').replace(
        '<bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e"/>',
        '<bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression"><![CDATA[{"type":"script","value":"x < 1"}]]></bpmn:conditionExpression></bpmn:sequenceFlow>',
      ),
    )
    expect(scenario.nodes[2].name).toBe('a < b & б')
    expect(scenario.edges[1].condition).toBe('x < 1')
  })
})
