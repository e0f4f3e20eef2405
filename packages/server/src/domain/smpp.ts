// Suppliers whose gateways or SMSCs bind to our SMPP server (api/smpp/): their credentials, the
// parts of concatenated messages, and delivery with an idempotency key that survives retransmission.
import { randomBytes, randomInt } from 'node:crypto';
import type { Gsm7Packing, SmppAccountRow } from '../store/schema.js';
import type { Repositories, Store } from '../store/store.js';
import type { Actor, AuditLog } from './audit.js';
import type { Clock } from './clock.js';
import { DomainError } from './errors.js';
import type { InboundSmsService, ReceivedSms } from './inbound-sms.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { supplierNamed } from './suppliers.js';

/** The source of every SMS that came over SMPP (inbound_sms.source). */
export const SMPP_SOURCE = 'smpp';

/** A concatenated message whose parts have not all arrived this long after the first is dropped. */
export const PART_TTL_MS = 10 * 60_000;

/** Incomplete concatenated messages a supplier may have at once; past it a new one is refused for now. */
export const MAX_PARTIALS_PER_SUPPLIER = 1000;

/**
 * A copy of a message received within this window (and at most twice it) of the first is the same
 * message retransmitted: SMPP gives a mobile-originated message no id of its own (see deliver).
 */
export const DUPLICATE_WINDOW_MS = 24 * 3_600_000;

/** An operator may set at most this many messages per second for one supplier. */
export const MAX_PER_SECOND_LIMIT = 100_000;

export interface SmppSettings {
  /** Message PDUs per second before ESME_RTHROTTLED; null: the server's SMPP_MAX_PER_SECOND. */
  maxPerSecond: number | null;
  /** How the gateway sends data_coding 0. */
  gsm7: Gsm7Packing;
}

export interface SmppAccount extends SmppSettings {
  supplier: string;
  systemId: string;
  /** Only when just issued (new credentials or a rotation): shown once, only its hash is kept. */
  password?: string;
}

export interface SmppAccountChange {
  /** A new password; the old one stops working, and sessions bound with it end at their next PDU. */
  rotate?: boolean | undefined;
  maxPerSecond?: number | null | undefined;
  gsm7?: Gsm7Packing | undefined;
}

/** Who a bound session is. `credential` changes when the password is rotated. */
export interface SmppBinding {
  supplierId: number;
  supplier: string;
  credential: string;
  settings: SmppSettings;
}

/** One part of a concatenated message: its code units (septets for GSM, octets otherwise). */
export interface SmppPart {
  supplierId: number;
  /** The same for every part of one message, and only for them (api/smpp/pdu.ts). */
  messageKey: string;
  total: number;
  /** 1-based. */
  seq: number;
  units: Buffer;
}

export interface SmppSms {
  supplierId: number;
  sender: string;
  receiver: string;
  text: string;
  /** A digest of what the SMSC sent: the same for a retransmission of the same message. */
  fingerprint: string;
}

// SMPP 3.4 caps system_id at 15 characters and password at 8.
const newSystemId = (): string => `pva${randomBytes(4).toString('hex')}`;
const PASSWORD_CHARS = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
const newPassword = (): string => Array.from({ length: 8 }, () => PASSWORD_CHARS[randomInt(PASSWORD_CHARS.length)]).join('');

const settingsOf = (row: SmppAccountRow): SmppSettings => ({ maxPerSecond: row.max_per_second, gsm7: row.gsm7 });

export class SmppService {
  /** Checked against when a system_id is unknown, so that a refusal takes as long either way. */
  private decoy: Promise<string> | undefined;

  constructor(
    private readonly store: Store,
    private readonly inboundSms: InboundSmsService,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
  ) {}

  /**
   * Issues the supplier's credentials when it has none (or `rotate`), and changes its settings. The
   * password is in the answer only: the audit log says that a new one was issued, never what it is.
   */
  async configure(supplierName: string, change: SmppAccountChange = {}, by?: Actor): Promise<SmppAccount> {
    const max = change.maxPerSecond;
    if (max !== undefined && max !== null && !(Number.isInteger(max) && max >= 1 && max <= MAX_PER_SECOND_LIMIT)) {
      throw new DomainError('INVALID_INPUT', `A rate is 1 to ${MAX_PER_SECOND_LIMIT} messages per second`);
    }
    const supplier = await supplierNamed(this.store.read, supplierName);
    const existing = await this.store.read.smpp.findBySupplier(supplier.id);
    const password = !existing || change.rotate ? newPassword() : undefined;
    const passwordHash = password === undefined ? undefined : await hashPassword(password);
    const now = this.clock.now();
    const state = async (repos: Repositories) => {
      const account = await repos.smpp.findBySupplier(supplier.id);
      return account ? { systemId: account.system_id, ...settingsOf(account) } : null;
    };
    const account = await this.audit.change(by, { action: 'supplier.smpp', target: `supplier:${supplier.name}` }, {
      before: state,
      change: async (repos) => {
        if (!existing) {
          await repos.smpp.insert({
            supplier_id: supplier.id,
            system_id: newSystemId(),
            password_hash: passwordHash!,
            max_per_second: max ?? null,
            gsm7: change.gsm7 ?? 'unpacked',
            created_at: now,
            updated_at: now,
          });
        } else {
          await repos.smpp.update(supplier.id, {
            ...(passwordHash !== undefined ? { password_hash: passwordHash } : {}),
            ...(max !== undefined ? { max_per_second: max } : {}),
            ...(change.gsm7 !== undefined ? { gsm7: change.gsm7 } : {}),
            updated_at: now,
          });
        }
        return (await repos.smpp.findBySupplier(supplier.id))!;
      },
      after: async (_account, repos) => ({ ...(await state(repos)), newPassword: password !== undefined }),
    });
    return { supplier: supplier.name, systemId: account.system_id, ...(password !== undefined ? { password } : {}), ...settingsOf(account) };
  }

  /** The supplier behind a bind, or undefined: unknown system_id, wrong password, or a disabled supplier. */
  async authenticate(systemId: string, password: string): Promise<SmppBinding | undefined> {
    const login = await this.store.read.smpp.findBySystemId(systemId);
    this.decoy ??= hashPassword(randomBytes(16).toString('hex'));
    const valid = await verifyPassword(password, login?.password_hash ?? (await this.decoy));
    if (!login || !valid || !login.supplier_enabled) return undefined;
    return { supplierId: login.supplier_id, supplier: login.supplier_name, credential: login.password_hash, settings: settingsOf(login) };
  }

  /**
   * The bound supplier's settings now, or undefined when its bind no longer holds (the password was
   * rotated or the supplier disabled since): sessions see both at their next PDU, not at their next bind.
   */
  async recheck(binding: SmppBinding): Promise<SmppSettings | undefined> {
    const login = await this.store.read.smpp.findBySupplier(binding.supplierId);
    if (!login || !login.supplier_enabled || login.password_hash !== binding.credential) return undefined;
    return settingsOf(login);
  }

  /**
   * Keeps one part of a concatenated message; returns the whole message's code units once every part
   * is in. The parts stay stored until `deliver` has taken the message, so a delivery that failed is
   * tried again when the SMSC resends its last part.
   */
  async addPart(part: SmppPart): Promise<Buffer | undefined> {
    const now = this.clock.now();
    return this.store.transaction(async (repos) => {
      await repos.smpp.expirePartials(part.supplierId, now - PART_TTL_MS);
      const parts = JSON.parse(await repos.smpp.lockPartial(part.supplierId, part.messageKey, JSON.stringify(Array(part.total).fill(null)), now)) as (string | null)[];
      if (parts.every((p) => p === null) && (await repos.smpp.countPartials(part.supplierId)) > MAX_PARTIALS_PER_SUPPLIER) {
        throw new DomainError('TRY_AGAIN', `More than ${MAX_PARTIALS_PER_SUPPLIER} concatenated messages are missing parts`);
      }
      parts[part.seq - 1] = part.units.toString('hex');
      await repos.smpp.savePartial(part.supplierId, part.messageKey, JSON.stringify(parts));
      return parts.every((p) => p !== null) ? Buffer.concat(parts.map((hex) => Buffer.from(hex!, 'hex'))) : undefined;
    });
  }

  /**
   * Delivers an SMS once. SMPP gives a mobile-originated message no id, and a gateway that lost our
   * resp sends the same PDU again, on this connection or the next, with a new sequence number. The
   * idempotency key is therefore the message's fingerprint and the day-long window it arrived in; a copy
   * in the next window finds the previous window's key. So a copy within 24 hours (up to 48) is the
   * same message, and the same SMS sent again days later is a new one. `completes` names the partial
   * this message was assembled from, deleted once the SMS is stored.
   */
  async deliver(sms: SmppSms, completes?: string): Promise<ReceivedSms> {
    const now = this.clock.now();
    const window = Math.floor(now / DUPLICATE_WINDOW_MS);
    const earlier = await this.store.read.inboundSms.findBySourceKey(SMPP_SOURCE, sms.supplierId, `${sms.fingerprint}:${window - 1}`);
    const received: ReceivedSms = earlier
      ? {
          duplicate: true,
          orderId: earlier.order_id === null ? null : ((await this.store.read.orders.publicIdOf(earlier.order_id)) ?? null),
          reason: earlier.reason,
        }
      : await this.inboundSms.receive({
          source: SMPP_SOURCE,
          sourceKey: `${sms.fingerprint}:${window}`,
          supplierId: sms.supplierId,
          receiver: sms.receiver,
          sender: sms.sender,
          text: sms.text,
          receivedAt: now,
        });
    if (completes !== undefined) await this.store.transaction((repos) => repos.smpp.deletePartial(sms.supplierId, completes));
    return received;
  }
}
