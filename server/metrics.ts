/**
 * Prometheus metrics (prom-client) on a registry of the app's own, served at `/metrics`:
 * requests by external request and status, process durations (histogram) and final statuses,
 * processes running now, sandbox time, and Node's default process metrics.
 *
 * @example
 * const metrics = createMetrics()
 * metrics.requests.inc({ webrequest: 'greet', status: '201' })
 * const text = await metrics.registry.metrics()
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

export interface Metrics {
  registry: Registry
  requests: Counter<'route' | 'webrequest' | 'status'>
  processDuration: Histogram<'scenario' | 'status'>
  processes: Counter<'scenario' | 'status'>
  running: Gauge
  sandboxSeconds: Counter<'scenario'>
}

export function createMetrics(): Metrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'potok_node_' })
  return {
    registry,
    requests: new Counter({
      name: 'potok_http_requests_total',
      help: 'HTTP requests answered, by route kind (webrequest, api, health, metrics, other), external request urlId and status',
      labelNames: ['route', 'webrequest', 'status'],
      registers: [registry],
    }),
    processDuration: new Histogram({
      name: 'potok_process_duration_seconds',
      help: 'Duration of processes that ended here, by scenario and final status',
      labelNames: ['scenario', 'status'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    processes: new Counter({
      name: 'potok_processes_total',
      help: 'Processes that ended here (synchronous, asynchronous, replayed, resumed), by scenario and final status',
      labelNames: ['scenario', 'status'],
      registers: [registry],
    }),
    running: new Gauge({ name: 'potok_processes_running', help: 'Synchronous processes running in this server now', registers: [registry] }),
    sandboxSeconds: new Counter({
      name: 'potok_sandbox_seconds_total',
      help: 'Time spent in steps that evaluate expressions or code in the sandbox (setVariables, exclusiveGateway, code, parser), by scenario',
      labelNames: ['scenario'],
      registers: [registry],
    }),
  }
}
