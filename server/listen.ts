/**
 * Putting the h3 app on a socket. `potok serve` listens through srvx (h3's own server, measured
 * leaner than listhen here: docs/server.md); `potok dev` through listhen (the unjs development
 * listener: pretty URLs for every interface, port fallback). Both give the server the same
 * handle, so `serve()` does not care which one it was given.
 *
 * @example
 * const socket = await listenWith('srvx', app.fetch, { port: 0, host: '127.0.0.1', trustProxy: false })
 * socket.port // the real port
 * await socket.close(true)
 */
import type { Server as NodeServer } from 'node:http'
import { serve as srvxServe } from 'srvx'

export type Listener = 'srvx' | 'listhen'

export interface ListenSettings {
  port: number
  host: string
  trustProxy: boolean | 'loopback'
  /** Slow or stalled clients are cut off (408) instead of holding connections for ever. */
  httpHeadersTimeoutMs?: number
  httpRequestTimeoutMs?: number
  httpKeepAliveTimeoutMs?: number
}

export interface Socket {
  /** The port really listened on (PORT=0 picks one). */
  port: number
  /** Node's HTTP server under it (timeouts, idle connections). */
  node: NodeServer | undefined
  /** Stops accepting; with `force`, closes open connections too. Resolves when closed. */
  close(force?: boolean): Promise<void>
}

export async function listenWith(listener: Listener, fetch: (request: Request) => Response | Promise<Response>, settings: ListenSettings): Promise<Socket> {
  return listener === 'listhen' ? listenhen(fetch, settings) : listenSrvx(fetch, settings)
}

async function listenSrvx(fetch: (request: Request) => Response | Promise<Response>, settings: ListenSettings): Promise<Socket> {
  const server = srvxServe({ fetch, port: settings.port, hostname: settings.host, trustProxy: settings.trustProxy, silent: true, gracefulShutdown: false, node: nodeTimeouts(settings) })
  await server.ready()
  const node = server.node?.server as NodeServer | undefined
  return { port: portOf(node, settings.port), node, close: (force) => server.close(force) }
}

async function listenhen(fetch: (request: Request) => Response | Promise<Response>, settings: ListenSettings): Promise<Socket> {
  // Loaded only here: listhen brings its own dependencies, which `potok serve` never needs.
  const [{ listen }, { toNodeHandler }] = await Promise.all([import('listhen'), import('srvx/node')])
  const listener = await listen(toNodeHandler(fetch) as Parameters<typeof listen>[0], {
    port: settings.port,
    hostname: settings.host,
    showURL: false,
    autoClose: false,
    // listhen picks another port when the asked one is taken; a development server saying so is friendlier than failing.
    isProd: false,
  })
  const node = listener.server as NodeServer
  // Set after creation here (listhen makes the server); Node checks them every 30 s then.
  Object.assign(node, nodeTimeouts(settings))
  let closed: Promise<void> | undefined
  return {
    port: portOf(node, settings.port),
    node,
    close: (force) => {
      if (force) node.closeAllConnections()
      return (closed ??= listener.close())
    },
  }
}

/** Node's server options for the HTTP_*_TIMEOUT_MS settings (Node's defaults where unset). */
function nodeTimeouts(settings: ListenSettings) {
  const { httpHeadersTimeoutMs: headers, httpRequestTimeoutMs: request, httpKeepAliveTimeoutMs: keepAlive } = settings
  return {
    ...(headers ? { headersTimeout: headers, connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(headers / 4))) } : {}),
    ...(request ? { requestTimeout: request } : {}),
    ...(keepAlive ? { keepAliveTimeout: keepAlive } : {}),
  }
}

function portOf(node: NodeServer | undefined, fallback: number): number {
  const address = node?.address()
  return typeof address === 'object' && address ? address.port : fallback
}
