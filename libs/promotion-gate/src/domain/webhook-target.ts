import ipaddr from 'ipaddr.js';

/**
 * Where a gate's webhook may point. The server POSTs from inside the
 * company's network, so a URL an admin types (or a name whose DNS answer
 * changes later) must not make it talk to itself, the database, the cloud's
 * metadata service or any other internal host.
 *
 * Pure rules, no I/O: the caller resolves the name (all its addresses) and asks
 * about each. Only global unicast addresses are allowed; refused: loopback,
 * link-local (169.254/16, fe80::/10, the metadata service), private (RFC 1918,
 * ULA fc00::/7), unspecified (0.0.0.0/8, ::), carrier-grade NAT 100.64/10,
 * multicast, broadcast, reserved and documentation ranges, and IPv6 forms that
 * embed an IPv4 address (IPv4-mapped ::ffff:a.b.c.d is judged by its IPv4;
 * NAT64, 6to4, Teredo refused outright).
 */

/** A refusal, in words for the admin and for the attempt's record. */
export type WebhookUrlProblem = string;

/** The URL's own shape: http(s), a host, no user or password in it. Returns the problem, or null. */
export function webhookUrlShapeProblem(url: URL): WebhookUrlProblem | null {
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return `only http and https URLs are allowed, not ${url.protocol.replace(/:$/, '')}`;
  if (url.username || url.password) return 'a webhook URL may not carry a user name or password (the secret signs each POST instead)';
  if (!hostOf(url)) return 'the URL names no host';
  return null;
}

/** The host to resolve: the name, or the IP literal without IPv6 brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/** Is this IP literal (as URL or DNS gives it) a place a webhook may go? Returns the problem, or null. */
export function addressProblem(address: string): WebhookUrlProblem | null {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address);
  } catch {
    return `${address} is not an IP address`;
  }
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    const v4 = (parsed as ipaddr.IPv6).toIPv4Address();
    const problem = addressProblem(v4.toString());
    return problem ? `${address} (IPv4-mapped ${v4.toString()}): ${problem}` : null;
  }
  const range = parsed.range();
  return range === 'unicast' ? null : `${address} is a ${RANGE_WORDS[range] ?? `${range} (not public)`} address`;
}

const RANGE_WORDS: Record<string, string> = {
  loopback: 'loopback',
  private: 'private (RFC 1918)',
  uniqueLocal: 'private (unique local, fc00::/7)',
  linkLocal: 'link-local',
  unspecified: 'unspecified',
  carrierGradeNat: 'carrier-grade NAT (100.64.0.0/10)',
  multicast: 'multicast',
  broadcast: 'broadcast',
  reserved: 'reserved',
  rfc6052: 'NAT64 (IPv4-embedding)',
  '6to4': '6to4 (IPv4-embedding)',
  teredo: 'Teredo (IPv4-embedding)',
  rfc6145: 'IPv4-translated',
  ipv4Mapped: 'IPv4-mapped',
};

/** Every resolved address must be allowed (a name with one public and one private answer is refused). */
export function addressesProblem(host: string, addresses: readonly string[]): WebhookUrlProblem | null {
  if (addresses.length === 0) return `${host} resolves to no address`;
  for (const a of addresses) {
    const problem = addressProblem(a);
    if (problem) return a === host ? problem : `${host} resolves to ${problem}`;
  }
  return null;
}
