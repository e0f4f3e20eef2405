// Where a webhook may point: http or https on a public address. Checked when the URL is set and again
// before each delivery, against the address the delivery then connects to (a name that resolved to a
// public address yesterday may resolve to 127.0.0.1 today: DNS rebinding).
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { DomainError } from './errors.js';

/** A URL that passed the checks, and the address to connect to. */
export interface WebhookTarget {
  url: URL;
  address: string;
  family: 4 | 6;
}

export const MAX_URL_LENGTH = 2000;

/**
 * Unspecified, loopback, private (RFC 1918), shared (CGNAT), link-local (cloud metadata at
 * 169.254.169.254), unique-local, multicast, reserved and documentation ranges. IPv4-mapped IPv6
 * addresses (::ffff:10.0.0.1) match the IPv4 rules.
 */
const PRIVATE = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  PRIVATE.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['2001:db8::', 32],
] as const) {
  PRIVATE.addSubnet(network, prefix, 'ipv6');
}

export const isPrivateAddress = (address: string): boolean => PRIVATE.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');

const refused = (message: string) => new DomainError('INVALID_INPUT', message);

/** Parses and checks a webhook URL, without resolving it. */
export function parseWebhookUrl(text: string): URL {
  if (text.length > MAX_URL_LENGTH) throw refused(`A webhook URL has at most ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw refused(`${text} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw refused('A webhook URL starts with http:// or https://');
  // It is shown in delivery logs; the signature is how a receiver knows the sender.
  if (url.username || url.password) throw refused('A webhook URL carries no user or password: check the signature instead');
  return url;
}

/**
 * Parses the URL, resolves its host, and refuses it when any of its addresses is private (unless
 * `allowPrivate`). Returns the address to connect to, so that the connection goes where was checked.
 */
export async function resolveWebhookTarget(text: string, allowPrivate: boolean): Promise<WebhookTarget> {
  const url = parseWebhookUrl(text);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: { address: string; family: number }[];
  if (isIP(host)) {
    addresses = [{ address: host, family: isIP(host) }];
  } else {
    try {
      addresses = await lookup(host, { all: true, verbatim: true });
    } catch (error) {
      throw refused(`${host} does not resolve (${(error as { code?: string }).code ?? 'DNS error'})`);
    }
  }
  const first = addresses[0];
  if (!first) throw refused(`${host} does not resolve`);
  if (!allowPrivate) {
    const inside = addresses.find((a) => isPrivateAddress(a.address));
    if (inside) {
      const what = inside.address === host ? host : `${host} resolves to ${inside.address}, which`;
      throw refused(`${what} is a private address: webhooks go to public addresses only`);
    }
  }
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}
