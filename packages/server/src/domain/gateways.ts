// SMS gateways that post to us: each is attached to a supplier, reached at /ingest/<kind>/<token>,
// and hands over what it reports (SMS, and that its device is alive) to the one inbound SMS path.
import type { GatewayRow } from '../store/schema.js';
import type { Store } from '../store/store.js';
import type { Actor, AuditLog } from './audit.js';
import type { Clock } from './clock.js';
import { DomainError } from './errors.js';
import { hashSecret, newSecret, secretPrefix } from './ids.js';
import type { InboundSmsService, ReceivedSms } from './inbound-sms.js';
import { supplierNamed } from './suppliers.js';

export const GATEWAY_KINDS = ['android-sms-gateway', 'twilio', 'jasmin', 'kannel', 'dinstar', 'smssync', 'generic'] as const;
export type GatewayKind = (typeof GATEWAY_KINDS)[number];

export const isGatewayKind = (kind: string): kind is GatewayKind => (GATEWAY_KINDS as readonly string[]).includes(kind);

/** The shared secret a kind checks its requests with, if any: which one, and whether it must be given. */
const SECRETS: Partial<Record<GatewayKind, { secret: 'signingKey' | 'authToken'; required: boolean }>> = {
  'android-sms-gateway': { secret: 'signingKey', required: true },
  twilio: { secret: 'authToken', required: true },
  smssync: { secret: 'signingKey', required: false },
};

export interface NewGateway {
  supplier: string;
  kind: string;
  /** android-sms-gateway: the app's webhook signing key; smssync: its secret. */
  signingKey?: string | undefined;
  /** twilio: the account's auth token. */
  authToken?: string | undefined;
}

/** Which gateway of a supplier: by id, or by kind when the supplier has one of that kind. */
export interface GatewaySelector {
  supplier: string;
  id?: number | undefined;
  kind?: string | undefined;
}

export interface GatewayEndpoint {
  id: number;
  kind: GatewayKind;
  /** Where the gateway posts; the token in it is shown once, only its hash is kept. */
  path: string;
}

export interface GatewaySummary {
  id: number;
  supplier: string;
  kind: string;
  /** The path with only the start of its token, to recognise it by. */
  path: string;
  /** Whether requests are checked against a shared secret (signing key, auth token). */
  signed: boolean;
  createdAt: number;
}

/** One SMS as a gateway reports it. */
export interface GatewaySms {
  /** The source's own message id (or one made from the message): the same key is processed once. */
  key: string;
  /** The number it arrived on; null: the number registered in the report's device, in `slot`. */
  receiver: string | null;
  slot: number | null;
  sender: string;
  text: string;
  /** When the SIM got it; null: now (the gateway's clock has no zone we know). */
  receivedAt: number | null;
}

/** What one request of a gateway says: the device it comes from (alive now), and any SMS. */
export interface GatewayReport {
  device: string | null;
  messages: GatewaySms[];
}

const endpoint = (kind: GatewayKind, token: string) => `/ingest/${kind}/${token}`;

function newToken() {
  const token = newSecret();
  return { token, hash: hashSecret(token), prefix: secretPrefix(token) };
}

export class GatewayService {
  constructor(
    private readonly store: Store,
    private readonly inboundSms: InboundSmsService,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
  ) {}

  /** The URL's token is in the answer only; the audit log keeps its first characters. */
  async add(input: NewGateway, by?: Actor): Promise<GatewayEndpoint> {
    const kind = input.kind;
    if (!isGatewayKind(kind)) throw new DomainError('INVALID_INPUT', `${kind} is not a gateway kind: one of ${GATEWAY_KINDS.join(', ')}`);
    const secret = secretOf(kind, input);
    const supplier = await supplierNamed(this.store.read, input.supplier);
    const token = newToken();
    const now = this.clock.now();
    const id = await this.audit.change(by, { action: 'gateway.add', target: `supplier:${supplier.name}` }, {
      change: (repos) => repos.gateways.insert({ supplier_id: supplier.id, kind, token_hash: token.hash, token_prefix: token.prefix, secret, created_at: now, updated_at: now }),
      after: (id) => ({ id, kind, tokenPrefix: token.prefix, signed: secret !== null }),
    });
    return { id, kind, path: endpoint(kind, token.token) };
  }

  async list(supplierName?: string): Promise<GatewaySummary[]> {
    const supplier = supplierName === undefined ? undefined : await supplierNamed(this.store.read, supplierName);
    const rows = await this.store.read.gateways.list(supplier?.id);
    return rows.map((g) => ({
      id: g.id,
      supplier: g.supplier,
      kind: g.kind,
      path: `/ingest/${g.kind}/${g.token_prefix}...`,
      signed: g.secret !== null,
      createdAt: g.created_at,
    }));
  }

  /** A new URL token; the old one stops working at once. */
  async rotate(selector: GatewaySelector, by?: Actor): Promise<GatewayEndpoint> {
    const gateway = await this.select(selector);
    const token = newToken();
    await this.audit.change(by, { action: 'gateway.rotate', target: `supplier:${gateway.supplier}` }, {
      before: () => Promise.resolve({ id: gateway.id, kind: gateway.kind, path: gateway.path }),
      change: (repos) => repos.gateways.setToken(gateway.id, token, this.clock.now()),
      after: () => ({ id: gateway.id, kind: gateway.kind, path: `/ingest/${gateway.kind}/${token.prefix}...` }),
    });
    return { id: gateway.id, kind: gateway.kind as GatewayKind, path: endpoint(gateway.kind as GatewayKind, token.token) };
  }

  async remove(selector: GatewaySelector, by?: Actor): Promise<GatewaySummary> {
    const gateway = await this.select(selector);
    await this.audit.change(by, { action: 'gateway.remove', target: `supplier:${gateway.supplier}` }, {
      before: () => Promise.resolve(gateway),
      change: (repos) => repos.gateways.remove(gateway.id),
      after: () => null,
    });
    return gateway;
  }

  private async select(selector: GatewaySelector): Promise<GatewaySummary> {
    const all = await this.list(selector.supplier);
    const matching = all.filter((g) => (selector.id === undefined || g.id === selector.id) && (selector.kind === undefined || g.kind === selector.kind));
    if (matching.length === 1) return matching[0]!;
    const which = [selector.id === undefined ? '' : ` with id ${selector.id}`, selector.kind === undefined ? '' : ` of kind ${selector.kind}`].join('');
    if (matching.length === 0) throw new DomainError('NOT_FOUND', `${selector.supplier} has no gateway${which}`);
    throw new DomainError('INVALID_INPUT', `${selector.supplier} has ${matching.length} gateways${which}: name one by its id (${matching.map((g) => g.id).join(', ')})`);
  }

  /** The gateway a URL token belongs to; refused for another kind's path or a disabled supplier. */
  async authenticate(kind: GatewayKind, token: string): Promise<GatewayRow> {
    const gateway = token ? await this.store.read.gateways.findByTokenHash(hashSecret(token)) : undefined;
    const supplier = gateway && gateway.kind === kind ? await this.store.read.suppliers.findById(gateway.supplier_id) : undefined;
    if (!gateway || !supplier?.enabled) throw new DomainError('UNAUTHORIZED', 'Unknown gateway token');
    return gateway;
  }

  /**
   * What the gateway reported: its device is alive (its numbers online, seen now), and each SMS goes
   * to InboundSmsService.receive with the gateway's kind as the source.
   */
  async report(gateway: GatewayRow, report: GatewayReport): Promise<ReceivedSms[]> {
    const now = this.clock.now();
    const device = report.device;
    if (device !== null) await this.store.transaction((repos) => repos.numbers.seenOnDevice(gateway.supplier_id, device, now));
    const received = [];
    for (const sms of report.messages) {
      received.push(
        await this.inboundSms.receive({
          source: gateway.kind,
          sourceKey: sms.key,
          supplierId: gateway.supplier_id,
          receiver: sms.receiver ?? (await this.numberIn(gateway.supplier_id, device, sms.slot)),
          sender: sms.sender,
          text: sms.text,
          receivedAt: sms.receivedAt ?? now,
        }),
      );
    }
    return received;
  }

  /** The number registered in the device's slot, or the device's only number when the slot is not known. */
  private async numberIn(supplierId: number, device: string | null, slot: number | null): Promise<string> {
    if (device === null) throw new DomainError('INVALID_INPUT', 'The message names no receiving number and no device');
    const numbers = await this.store.read.numbers.onDevice(supplierId, device);
    const found = numbers.find((n) => n.slot === slot) ?? (numbers.length === 1 ? numbers[0] : undefined);
    if (!found) {
      const place = `device ${device}${slot === null ? '' : ` slot ${slot}`}`;
      throw new DomainError('UNKNOWN_NUMBER', `No number is registered in ${place}: register it with its device and slot (PUT /supplier/v1/numbers)`);
    }
    return found.number;
  }
}

/** The secret to keep for this kind: required where the vendor signs, refused where it cannot be used. */
function secretOf(kind: GatewayKind, input: NewGateway): string | null {
  const wanted = SECRETS[kind];
  const named = { signingKey: 'signing key', authToken: 'auth token' } as const;
  for (const name of ['signingKey', 'authToken'] as const) {
    if (input[name] !== undefined && wanted?.secret !== name) throw new DomainError('INVALID_INPUT', `${kind} gateways take no ${named[name]}`);
  }
  const secret = wanted && input[wanted.secret];
  if (wanted?.required && !secret) throw new DomainError('INVALID_INPUT', `${kind} gateways need their ${named[wanted.secret]}`);
  return secret || null;
}
