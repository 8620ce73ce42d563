/**
 * Outbound destinations: with `WEBREQUEST_DENY_PRIVATE=true`, a `webRequest` may not reach this
 * machine or the private network — loopback, private (RFC 1918, unique-local), link-local
 * (cloud metadata at 169.254.169.254 included), unspecified and multicast addresses — whatever
 * the scenario computed the URL from. The host name is resolved first and every address it
 * resolves to is checked, on every redirect hop; WEBREQUEST_ALLOW_HOSTS exempts named hosts (an
 * internal API the scenarios are meant to call). (A resolver that answers differently a moment
 * later — DNS rebinding — is outside what this check can see.)
 */
import { lookup } from 'node:dns/promises'
import { BlockList, isIP } from 'node:net'
import { PotokError } from '../../runtime/errors.ts'
import { runtimeLimits } from '../../runtime/limits.ts'

const blocked = new BlockList()
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16],
  ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(network, prefix, 'ipv4')
for (const [network, prefix] of [
  ['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['::ffff:0:0', 96],
] as const) blocked.addSubnet(network, prefix, 'ipv6')

/** Whether WEBREQUEST_DENY_PRIVATE is on (read per request from the runtime limits). */
export function denyPrivate(): boolean {
  return runtimeLimits().webRequestDenyPrivate
}

function isBlocked(address: string): boolean {
  const family = isIP(address)
  if (family === 4) return blocked.check(address, 'ipv4')
  // IPv4-mapped IPv6 (::ffff:10.0.0.1) is judged by its IPv4 address.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  if (mapped) return blocked.check(mapped[1], 'ipv4')
  return blocked.check(address, 'ipv6')
}

/** WEBREQUEST_ALLOW_HOSTS: host names or addresses (comma-separated) exempt from the check. */
function allowedHosts(): Set<string> {
  return new Set(runtimeLimits().webRequestAllowHosts)
}

/** Throws HTTP_FORBIDDEN_DESTINATION when `url`'s host is, or resolves to, a blocked address. */
export async function checkDestination(url: URL, describe: string): Promise<void> {
  const host = url.hostname.replace(/^\[|\]$/g, '')
  if (allowedHosts().has(host.toLowerCase())) return
  const addresses = isIP(host) ? [host] : (await lookup(host, { all: true, verbatim: true }).catch(() => [])).map((a) => a.address)
  const refused = addresses.find(isBlocked)
  if (refused !== undefined) {
    throw new PotokError('HTTP_FORBIDDEN_DESTINATION',
      `${describe} would reach ${refused}, a loopback, private or link-local address, which WEBREQUEST_DENY_PRIVATE forbids`)
  }
}
