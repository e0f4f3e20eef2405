// GoIP GSM gateways speak the "SMS server" protocol: each line (SIM channel) authenticates with its
// own id and password, keeps its number online with a keepalive every 30 s, and forwards each SMS.
import type { GoipLineRow, NumberRow } from '../store/schema.js';
import type { Repositories, Store } from '../store/store.js';
import type { Actor, AuditLog } from './audit.js';
import { normalizeCountry } from './catalog.js';
import type { Clock } from './clock.js';
import { DomainError } from './errors.js';
import { hashSecret, randomDraw, sameSecret } from './ids.js';
import type { InboundSmsService, ReceivedSms } from './inbound-sms.js';
import { normalizeNumber, supplierNamed } from './suppliers.js';

export interface NewGoipLine {
  supplier: string;
  line: string;
  password: string;
  /** Register the numbers the line reports in this country; without it they must be registered first. */
  country?: string | undefined;
  /** The line's SIM number, for a GoIP that does not report it in its keepalives. */
  number?: string | undefined;
}

export interface GoipLineSummary {
  line: string;
  supplier: string;
  country: string | null;
  /** The number the line last reported, whether it is online, and when it was last seen. */
  number: string | null;
  online: boolean;
  lastSeenAt: number | null;
  createdAt: number;
}

export interface Keepalive {
  line: string;
  password: string;
  /** The SIM's number as the GoIP reports it ('' when it does not know it). */
  number: string;
  /** gsm_status LOGIN (the SIM is on the network) or LOGOUT. */
  loggedIn: boolean;
}

/** What a keepalive did to the line's number; `problem` says why it could not go online. */
export interface KeepaliveOutcome {
  number: string | null;
  online: boolean;
  problem: string | null;
}

export interface GoipSms {
  line: string;
  password: string;
  /** The GoIP's id for this SMS: the same (line, recvid) is delivered once. */
  recvid: string;
  sender: string;
  text: string;
}

export class GoipService {
  constructor(
    private readonly store: Store,
    private readonly inboundSms: InboundSmsService,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
  ) {}

  async add(input: NewGoipLine, by?: Actor): Promise<GoipLineSummary> {
    const line = input.line.trim();
    if (!/^[\x21-\x7e]{1,64}$/.test(line) || line.includes(';')) throw new DomainError('INVALID_INPUT', 'A line id is 1 to 64 printable characters, without spaces or ";"');
    if (input.password === '' || input.password.includes(';')) throw new DomainError('INVALID_INPUT', 'A line password is not empty and has no ";"');
    let country: string | null = null;
    if (input.country !== undefined) {
      country = normalizeCountry(input.country) ?? null;
      if (!country) throw new DomainError('INVALID_INPUT', `${input.country} is not an ISO 3166 country code`);
    }
    const number = input.number === undefined ? undefined : normalizeNumber(input.number);
    if (input.number !== undefined && !number) throw new DomainError('INVALID_INPUT', `${input.number} is not an international phone number`);
    const supplier = await supplierNamed(this.store.read, input.supplier);
    const now = this.clock.now();
    try {
      await this.audit.change(by, { action: 'goip.add', target: `goip:${line}` }, {
        change: async (repos) => {
          const sim = number === undefined ? undefined : await lineNumber(repos, { supplier_id: supplier.id, country }, number, now);
          if (typeof sim === 'string') throw new DomainError('UNKNOWN_NUMBER', sim);
          await repos.goipLines.insert({ supplier_id: supplier.id, line, password_hash: hashSecret(input.password), country, number_id: sim?.id ?? null, created_at: now, updated_at: now });
        },
        after: () => ({ supplier: supplier.name, country, number: number ?? null }),
      });
    } catch (error) {
      if (this.store.isUniqueViolation(error)) throw new DomainError('ALREADY_EXISTS', `A GoIP line ${line} exists`);
      throw error;
    }
    return { line, supplier: supplier.name, country, number: number ?? null, online: false, lastSeenAt: null, createdAt: now };
  }

  async list(supplierName?: string): Promise<GoipLineSummary[]> {
    const supplier = supplierName === undefined ? undefined : await supplierNamed(this.store.read, supplierName);
    const rows = await this.store.read.goipLines.list(supplier?.id);
    return rows.map((r) => ({
      line: r.line,
      supplier: r.supplier,
      country: r.country,
      number: r.number,
      online: r.online === 1,
      lastSeenAt: r.last_seen_at,
      createdAt: r.created_at,
    }));
  }

  /**
   * The line's packets are refused from now on; its number stays in the pool until the heartbeat
   * takes it offline. With `supplier`, only that supplier's line.
   */
  async remove(input: { line: string; supplier?: string | undefined }, by?: Actor): Promise<void> {
    const supplier = input.supplier === undefined ? undefined : await supplierNamed(this.store.read, input.supplier);
    const line = await this.store.read.goipLines.findByLine(input.line);
    if (!line || (supplier && line.supplier_id !== supplier.id)) throw new DomainError('NOT_FOUND', `No GoIP line ${input.line}${supplier ? ` of ${supplier.name}` : ''}`);
    await this.audit.change(by, { action: 'goip.remove', target: `goip:${line.line}` }, {
      before: () => Promise.resolve({ country: line.country }),
      change: (repos) => repos.goipLines.remove(line.id),
      after: () => null,
    });
  }

  /**
   * A keepalive: LOGIN puts the line's number online, seen now (a line that reports another number
   * than before had its SIM changed: the old number goes offline); LOGOUT takes it offline. The line
   * is answered even when its number cannot go online; `problem` says why.
   */
  async keepalive(input: Keepalive): Promise<KeepaliveOutcome> {
    const line = await this.authenticate(input.line, input.password);
    const reported = input.number.trim() === '' ? undefined : normalizeNumber(input.number);
    if (input.number.trim() !== '' && !reported) return { number: input.number, online: false, problem: `${input.number} is not an international number: set the line's number with its country code` };
    const now = this.clock.now();
    return this.store.transaction(async (repos) => {
      const previous = line.number_id === null ? undefined : await repos.numbers.findById(line.number_id);
      const number = reported === undefined ? previous : await lineNumber(repos, line, reported, now);
      if (number === undefined) return { number: null, online: false, problem: 'the line reports no number (num) and has none: set it in the GoIP, or give the line its number' };
      if (typeof number === 'string') return { number: reported ?? null, online: false, problem: number };
      if (previous && previous.id !== number.id) await repos.numbers.setOnline(line.supplier_id, [previous.number], false, now);
      if (line.number_id !== number.id) await repos.goipLines.setNumber(line.id, number.id, now);
      await repos.numbers.setOnline(line.supplier_id, [number.number], input.loggedIn, now);
      return { number: number.number, online: input.loggedIn, problem: null };
    });
  }

  /** An SMS the line received, delivered once per (line, recvid). */
  async receive(sms: GoipSms): Promise<ReceivedSms> {
    const line = await this.authenticate(sms.line, sms.password);
    const number = line.number_id === null ? undefined : await this.store.read.numbers.findById(line.number_id);
    if (!number) throw new DomainError('UNKNOWN_NUMBER', `GoIP line ${line.line} has not reported its number in a keepalive yet`);
    return this.inboundSms.receive({
      source: 'goip',
      sourceKey: `${line.line}:${sms.recvid}`,
      supplierId: line.supplier_id,
      receiver: number.number,
      sender: sms.sender,
      text: sms.text,
      receivedAt: this.clock.now(),
    });
  }

  /** Any other packet of the line: acknowledged once its password is right. */
  async check(line: string, password: string): Promise<void> {
    await this.authenticate(line, password);
  }

  private async authenticate(name: string, password: string): Promise<GoipLineRow> {
    const line = await this.store.read.goipLines.findByLine(name);
    const supplier = line ? await this.store.read.suppliers.findById(line.supplier_id) : undefined;
    if (!line || !sameSecret(hashSecret(password), line.password_hash) || !supplier?.enabled) throw new DomainError('UNAUTHORIZED', `Wrong id or password for GoIP line ${name}`);
    return line;
  }
}

/**
 * The supplier's number a line has, registered in the line's country when it is new (or was removed);
 * else why it cannot be the line's.
 */
async function lineNumber(repos: Repositories, line: Pick<GoipLineRow, 'supplier_id' | 'country'>, number: string, now: number): Promise<NumberRow | string> {
  let row = await repos.numbers.findByNumber(number);
  if ((!row || row.removed_at !== null) && line.country !== null) {
    await repos.numbers.upsert(line.supplier_id, [{ number, country: line.country, operator: 'any', draw: randomDraw(), device: null, slot: null }], now);
    row = await repos.numbers.findByNumber(number);
  }
  if (!row || row.removed_at !== null) return `${number} is not registered: register it, or give the line a country`;
  if (row.supplier_id !== line.supplier_id) return `${number} is registered by another supplier`;
  return row;
}
