// `fastpva admin supplier gateway ...` and `... goip ...`: the SMS gateways and GoIP lines that
// bring a supplier's SMS in (README "Connecting SMS gateways").
import { z } from 'zod';
import { wholeNumber } from '../../config.js';
import { GATEWAY_KINDS, isGatewayKind, type GatewaySelector } from '../../domain/gateways.js';
import { country, option, required, text } from '../args.js';
import { adminCommand } from '../database.js';
import { iso, table } from '../output.js';

const SUPPLIER = required('NAME', "the supplier's name", text);
const kind = z.string().refine(isGatewayKind, `not a gateway kind: one of ${GATEWAY_KINDS.join(', ')}`);

/** Which of the supplier's gateways: --gateway ID, or --kind when it has one of that kind, or its only one. */
const SELECTOR = {
  supplier: SUPPLIER,
  gateway: option('ID', 'the gateway, by the id `gateway list` shows', wholeNumber(1, 2_147_483_647)),
  kind: option('KIND', 'the gateway of this kind, when the supplier has one', kind),
};

const selector = (o: { supplier: string; gateway: number | undefined; kind: string | undefined }): GatewaySelector => ({ supplier: o.supplier, id: o.gateway, kind: o.kind });

const endpointText = (what: string, e: { id: number; kind: string; path: string }) =>
  `${what} gateway ${e.id} (${e.kind}). Its URL, after your server's public address (the token is shown once):\n${e.path}`;

const add = adminCommand({
  name: 'admin supplier gateway add',
  summary: "attach an SMS gateway to a supplier and print the URL it posts to (the token in it shown once)",
  details: [
    `Kinds: ${GATEWAY_KINDS.join(', ')}.`,
    'android-sms-gateway needs --signing-key (the app: Settings > Webhooks > Signing Key); twilio needs --auth-token;',
    'smssync takes the app\'s secret as --signing-key. README "Connecting SMS gateways" configures each one.',
  ].join('\n'),
  flags: {
    supplier: SUPPLIER,
    kind: required('KIND', 'what posts to it', kind),
    'signing-key': option('K', 'the key the gateway signs its requests with', text),
    'auth-token': option('T', "the Twilio account's auth token", text),
  },
  async run(p, o, by) {
    const gateway = await p.gateways.add({ supplier: o.supplier, kind: o.kind, signingKey: o['signing-key'], authToken: o['auth-token'] }, by);
    return { json: gateway, text: endpointText(`Added ${o.supplier}'s`, gateway) };
  },
});

const list = adminCommand({
  name: 'admin supplier gateway list',
  summary: "the gateways attached to suppliers (their URLs' tokens shortened)",
  flags: { supplier: option('NAME', "only this supplier's", text) },
  async run(p, o) {
    const gateways = await p.gateways.list(o.supplier);
    const rows = table(
      ['ID', 'SUPPLIER', 'KIND', 'PATH', 'SIGNED', 'CREATED'],
      gateways.map((g) => [g.id, g.supplier, g.kind, g.path, g.signed ? 'yes' : 'no', iso(g.createdAt)]),
    );
    return { json: gateways, text: gateways.length ? rows : 'No gateways' };
  },
});

const rotate = adminCommand({
  name: 'admin supplier gateway rotate',
  summary: 'give a gateway a new URL (token shown once); the old one stops working at once',
  flags: SELECTOR,
  async run(p, o, by) {
    const gateway = await p.gateways.rotate(selector(o), by);
    return { json: gateway, text: endpointText('New URL for', gateway) };
  },
});

const remove = adminCommand({
  name: 'admin supplier gateway remove',
  summary: 'detach a gateway: its URL is refused from now on',
  flags: SELECTOR,
  async run(p, o, by) {
    const gateway = await p.gateways.remove(selector(o), by);
    return { json: { removed: gateway.id, kind: gateway.kind }, text: `Removed ${o.supplier}'s gateway ${gateway.id} (${gateway.kind})` };
  },
});

const goipAdd = adminCommand({
  name: 'admin supplier goip add',
  summary: 'let a GoIP line (its SMS server id and password) report to the GOIP_UDP_PORT listener',
  details: 'Set the same id and password, and this server\'s address and GOIP_UDP_PORT, in the GoIP\'s SMS server settings.',
  flags: {
    supplier: SUPPLIER,
    line: required('ID', "the line's SMS server id, unique", text),
    password: required('PW', "the line's SMS server password", text),
    country: option('CC', 'register the numbers the line reports in this country (default: register them first)', country),
    number: option('NUMBER', "the line's SIM number, when the GoIP does not report it (num: in its keepalives)", text),
  },
  async run(p, o, by) {
    const line = await p.goip.add({ supplier: o.supplier, line: o.line, password: o.password, country: o.country, number: o.number }, by);
    const details = [line.number && `number ${line.number}`, line.country && `new numbers in ${line.country}`].filter(Boolean).join(', ');
    return { json: line, text: `Added GoIP line ${line.line} for ${line.supplier}${details ? ` (${details})` : ''}` };
  },
});

const goipList = adminCommand({
  name: 'admin supplier goip list',
  summary: 'GoIP lines with the number each last reported, online or not',
  flags: { supplier: option('NAME', "only this supplier's", text) },
  async run(p, o) {
    const lines = await p.goip.list(o.supplier);
    const rows = table(
      ['LINE', 'SUPPLIER', 'NUMBER', 'ONLINE', 'LAST SEEN'],
      lines.map((l) => [l.line, l.supplier, l.number ?? '-', l.online ? 'yes' : 'no', iso(l.lastSeenAt)]),
    );
    return { json: lines, text: lines.length ? rows : 'No GoIP lines' };
  },
});

const goipRemove = adminCommand({
  name: 'admin supplier goip remove',
  summary: "refuse a GoIP line's packets from now on",
  flags: { line: required('ID', "the line's SMS server id", text), supplier: option('NAME', 'only if the line is this supplier\'s', text) },
  async run(p, o, by) {
    await p.goip.remove({ line: o.line, supplier: o.supplier }, by);
    return { json: { removed: o.line }, text: `Removed GoIP line ${o.line}` };
  },
});

export const GATEWAY_COMMANDS = [add, list, rotate, remove, goipAdd, goipList, goipRemove];
