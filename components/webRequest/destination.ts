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
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  blocked.addSubnet(network, prefix, 'ipv4')
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['::ffff:0:0', 96],
  // Local-use NAT64 (RFC 8215) translates to whatever the operator's network holds.
  ['64:ff9b:1::', 48],
] as const)
  blocked.addSubnet(network, prefix, 'ipv6')

/** Whether WEBREQUEST_DENY_PRIVATE is on (read per request from the runtime limits). */
export function denyPrivate(): boolean {
  return runtimeLimits().webRequestDenyPrivate
}

function isBlocked(address: string): boolean {
  const family = isIP(address)
  if (family === 4) return blocked.check(address, 'ipv4')
  // IPv6 forms that carry an IPv4 address are judged by it too: mapped (::ffff:10.0.0.1),
  // IPv4-compatible (::10.0.0.1), NAT64 (64:ff9b::10.0.0.1) and 6to4 (2002:0a00:0001::).
  const embedded = embeddedIPv4(address)
  if (embedded && blocked.check(embedded, 'ipv4')) return true
  return blocked.check(address, 'ipv6')
}

/** The IPv4 address inside an IPv6 one of the forms above, dotted; null otherwise. */
export function embeddedIPv4(address: string): string | null {
  const bytes = ipv6Bytes(address)
  if (!bytes) return null
  const zero = (from: number, to: number) => bytes.subarray(from, to).every((b) => b === 0)
  const dotted = (at: number) => [...bytes.subarray(at, at + 4)].join('.')
  if (zero(0, 10) && ((bytes[10] === 0xff && bytes[11] === 0xff) || (bytes[10] === 0 && bytes[11] === 0))) return dotted(12)
  if (bytes[0] === 0x00 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && zero(4, 12)) return dotted(12)
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return dotted(2)
  return null
}

/** The 16 bytes of an IPv6 address (with `::` and a trailing dotted quad); null when it is not one. */
function ipv6Bytes(address: string): Uint8Array | null {
  if (isIP(address) !== 6) return null
  let text = address.toLowerCase().replace(/%.*$/, '')
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text)
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number)
    text = `${text.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, null]
  const left = head ? head.split(':') : []
  const right = tail ? tail.split(':') : []
  const groups = tail === null ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right]
  if (groups.length !== 8) return null
  const bytes = new Uint8Array(16)
  groups.forEach((group, i) => {
    const value = parseInt(group, 16)
    bytes[i * 2] = value >> 8
    bytes[i * 2 + 1] = value & 0xff
  })
  return bytes
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
    throw new PotokError('HTTP_FORBIDDEN_DESTINATION', `${describe} would reach ${refused}, a loopback, private or link-local address, which WEBREQUEST_DENY_PRIVATE forbids`)
  }
}
