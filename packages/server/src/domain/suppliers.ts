// Suppliers bring the numbers: SIM banks, modem pools, Android phones, other providers.
// A supplier serves one or more channels and is credited its share of every charge.
import type { NumberRegistration } from '../store/repositories/numbers.js';
import type { SupplierSummaryRow } from '../store/repositories/suppliers.js';
import type { RemoteProtocol, SupplierRow } from '../store/schema.js';
import type { Repositories, Store } from '../store/store.js';
import type { Actor, AuditLog } from './audit.js';
import type { CatalogService } from './catalog.js';
import { normalizeCountry } from './catalog.js';
import type { Clock } from './clock.js';
import type { DomainConfig } from './config.js';
import { DomainError } from './errors.js';
import { hashSecret, newObjectId, newSecret, randomDraw, secretPrefix } from './ids.js';
import type { Ledger } from './ledger.js';
import { BATCH_ROWS, inBatches } from './batches.js';

export interface NewSupplier {
  name: string;
  /** Basis points of each charge (7000 = 70%). */
  shareBp?: number | undefined;
  channels?: number[] | undefined;
}

export interface CreatedSupplier {
  id: number;
  publicId: string;
  name: string;
  channels: number[];
  /** Shown once; only its hash is kept. */
  key: string;
}

/** A supplier as admins see it. */
export interface SupplierSummary {
  publicId: string;
  name: string;
  /** A disabled supplier's key is refused and its numbers are not handed out. */
  enabled: boolean;
  /** Basis points of each charge. */
  shareBp: number;
  channels: number[];
  /** Numbers in the pool (removed ones not counted), and how many of them are online. */
  numbers: number;
  online: number;
  /** What the platform owes the supplier: its account's balance, in cents. */
  balance: number;
  /** The start of the supplier key, to recognise it by. */
  keyPrefix: string;
  /** Where a remote supplier's numbers live (its key is never shown); null for a local pool. */
  remote: { protocol: RemoteProtocol; url: string; markupPercent: number } | null;
  createdAt: number;
}

export interface NumberInput {
  number: string;
  country: string;
  operator?: string | undefined;
  /** The gateway device its SIM sits in and the slot (port) in it: how a gateway that reports no receiving number names it. */
  device?: string | null | undefined;
  slot?: number | null | undefined;
}

/** One day of a supplier's trade (UTC). */
export interface SupplierDay {
  /** The day's start, epoch ms (UTC). */
  at: number;
  /** Orders created that day on the supplier's numbers. */
  orders: number;
  /** Of those, how many got an SMS. */
  delivered: number;
  /** delivered / orders that have ended or got their SMS, 0 to 1; null while none has. */
  successRate: number | null;
  /** Cents of its share credited that day. */
  earnings: number;
}

export interface SupplierStats {
  /** The first and last day shown (their starts, epoch ms, UTC), both included. */
  from: number;
  to: number;
  /** Every day of the range, oldest first. */
  days: SupplierDay[];
  total: Omit<SupplierDay, 'at'>;
}

/** What the platform owes a supplier and how it came to be: shares credited, minus payouts. */
export interface SupplierBalance {
  balance: number;
  earned: number;
  paidOut: number;
}

export interface Payout {
  supplier: string;
  amount: number;
  note: string;
  /** The supplier's balance after it. */
  balance: number;
}

const DAY_MS = 86_400_000;
/** Without a range, the stats show this many days up to today. */
export const DEFAULT_STATS_DAYS = 30;
/** The longest range one stats call reads. */
export const MAX_STATS_DAYS = 366;
/** A payout's note, for the books. */
export const MAX_NOTE_LENGTH = 500;

/** At most this many numbers per call: a large SIM farm's whole online set, and a bounded transaction. */
export const MAX_NUMBERS_PER_CALL = 50_000;

/** "+44 7700-900123" -> "447700900123"; undefined when it is not a plausible E.164 number. */
export function normalizeNumber(raw: string): string | undefined {
  const digits = raw.trim().replace(/^\+/, '').replace(/[\s().-]/g, '');
  return /^[1-9]\d{5,14}$/.test(digits) ? digits : undefined;
}

/** A list of numbers, normalised and without repeats; refuses the whole list for one bad number. */
export function normalizeNumbers(inputs: string[]): string[] {
  if (inputs.length > MAX_NUMBERS_PER_CALL) throw new DomainError('INVALID_INPUT', `At most ${MAX_NUMBERS_PER_CALL} numbers per call`);
  return [
    ...new Set(
      inputs.map((raw) => {
        const number = normalizeNumber(raw);
        if (!number) throw new DomainError('INVALID_INPUT', `${raw} is not an international phone number`);
        return number;
      }),
    ),
  ];
}

/** The supplier with this name, or NOT_FOUND. */
export async function supplierNamed(read: Repositories, name: string): Promise<SupplierRow> {
  const supplier = await read.suppliers.findByName(name);
  if (!supplier) throw new DomainError('NOT_FOUND', `No supplier ${name}`);
  return supplier;
}

function checkShare(shareBp: number): void {
  if (!Number.isInteger(shareBp) || shareBp < 0 || shareBp > 10_000) throw new DomainError('INVALID_INPUT', 'A share is 0 to 10000 basis points');
}

type RemoteOf = Map<number, { protocol: RemoteProtocol; url: string; markupBp: number }>;

const toSummary = (s: SupplierSummaryRow, channels: number[] | undefined, remotes: RemoteOf): SupplierSummary => ({
  publicId: s.public_id,
  name: s.name,
  enabled: s.enabled === 1,
  shareBp: s.share_bp,
  channels: channels ?? [],
  numbers: s.numbers,
  online: s.online,
  balance: s.balance,
  keyPrefix: s.key_prefix,
  remote: ((r) => (r ? { protocol: r.protocol, url: r.url, markupPercent: r.markupBp / 100 } : null))(remotes.get(s.id)),
  createdAt: s.created_at,
});

export class SupplierService {
  /** The setOnline call of each supplier now running in this process. */
  private readonly onlineCalls = new Map<number, Promise<{ online: number }>>();

  constructor(
    private readonly store: Store,
    private readonly catalog: CatalogService,
    private readonly ledger: Ledger,
    private readonly clock: Clock,
    private readonly config: DomainConfig,
    private readonly audit: AuditLog,
  ) {}

  async create(input: NewSupplier, by?: Actor): Promise<CreatedSupplier> {
    const name = input.name.trim();
    if (name === '' || name.length > 100) throw new DomainError('INVALID_INPUT', 'A supplier name is 1 to 100 characters');
    const shareBp = input.shareBp ?? this.config.defaultSupplierShareBp;
    checkShare(shareBp);
    const channels = [...new Set(input.channels ?? [this.config.defaultChannel])];
    for (const channel of channels) await this.catalog.ensureChannel(channel);
    const key = newSecret();
    const now = this.clock.now();
    const publicId = newObjectId(now);
    try {
      // The key is shown once, in the answer: the log keeps its first characters, as admins see it.
      const id = await this.audit.change(by, { action: 'supplier.create', target: `supplier:${name}` }, {
        change: async (repos) => {
          const supplierId = await repos.suppliers.insert({
            public_id: publicId,
            name,
            key_hash: hashSecret(key),
            key_prefix: secretPrefix(key),
            share_bp: shareBp,
            enabled: 1,
            created_at: now,
            updated_at: now,
          });
          await repos.accounts.insert('supplier', { supplierId });
          for (const channel of channels) await repos.suppliers.addChannel(supplierId, channel);
          return supplierId;
        },
        after: () => ({ publicId, name, shareBp, channels, keyPrefix: secretPrefix(key) }),
      });
      this.catalog.forgetTerms();
      return { id, publicId, name, channels, key };
    } catch (error) {
      if (this.store.isUniqueViolation(error)) throw new DomainError('ALREADY_EXISTS', `A supplier named ${name} exists`);
      throw error;
    }
  }

  async authenticate(key: string): Promise<SupplierRow> {
    const supplier = key ? await this.store.read.suppliers.findByKeyHash(hashSecret(key)) : undefined;
    if (!supplier || !supplier.enabled) throw new DomainError('UNAUTHORIZED', 'Unknown supplier key');
    return supplier;
  }

  async list(): Promise<SupplierSummary[]> {
    const rows = await this.store.read.suppliers.summaries();
    const ids = rows.map((r) => r.id);
    const [channels, remotes] = await Promise.all([this.store.read.suppliers.channelsOf(ids), this.store.read.remoteSupply.protocolsOf(ids)]);
    return rows.map((r) => toSummary(r, channels.get(r.id), remotes));
  }

  async show(name: string): Promise<SupplierSummary> {
    const [row] = await this.store.read.suppliers.summaries(name);
    if (!row) throw new DomainError('NOT_FOUND', `No supplier ${name}`);
    const [channels, remotes] = await Promise.all([this.store.read.suppliers.channelsOf([row.id]), this.store.read.remoteSupply.protocolsOf([row.id])]);
    return toSummary(row, channels.get(row.id), remotes);
  }

  /**
   * The supplier's days in [from, to] (epoch ms, any moment of the first and last day; UTC days):
   * orders, SMS delivered, success rate and earnings. Without `to`, up to today; without `from`, the
   * DEFAULT_STATS_DAYS days up to `to`; at most MAX_STATS_DAYS days.
   */
  async stats(supplierId: number, range: { from?: number | undefined; to?: number | undefined }): Promise<SupplierStats> {
    const lastDay = Math.floor((range.to ?? this.clock.now()) / DAY_MS);
    const firstDay = range.from === undefined ? lastDay - DEFAULT_STATS_DAYS + 1 : Math.floor(range.from / DAY_MS);
    if (firstDay > lastDay) throw new DomainError('INVALID_INPUT', 'from is after to');
    if (lastDay - firstDay + 1 > MAX_STATS_DAYS) throw new DomainError('INVALID_INPUT', `At most ${MAX_STATS_DAYS} days at once`);
    const account = await this.store.read.accounts.findBySupplier(supplierId);
    if (!account) throw new DomainError('NOT_FOUND', 'No such supplier');
    const [from, to] = [firstDay * DAY_MS, (lastDay + 1) * DAY_MS];
    const [orders, shares] = await Promise.all([
      this.store.read.reports.supplierOrdersByDay(supplierId, from, to),
      this.store.read.reports.sharesByDay(account.id, from, to),
    ]);
    const tally = (rows: typeof orders, earnings: number): Omit<SupplierDay, 'at'> => {
      const sum = (key: 'orders' | 'received' | 'failed') => rows.reduce((n, r) => n + r[key], 0);
      const delivered = sum('received');
      const settled = delivered + sum('failed');
      return { orders: sum('orders'), delivered, successRate: settled === 0 ? null : delivered / settled, earnings };
    };
    const days = Array.from({ length: lastDay - firstDay + 1 }, (_, i) => {
      const day = firstDay + i;
      return { at: day * DAY_MS, ...tally(orders.filter((r) => r.day === day), shares.find((r) => r.day === day)?.amount ?? 0) };
    });
    return { from, to: lastDay * DAY_MS, days, total: tally(orders, shares.reduce((sum, r) => sum + r.amount, 0)) };
  }

  /** What the platform owes the supplier (its account's balance), what it earned and what was paid out. */
  async balance(supplierId: number): Promise<SupplierBalance> {
    const account = await this.store.read.accounts.findBySupplier(supplierId);
    if (!account) throw new DomainError('NOT_FOUND', 'No such supplier');
    return { balance: account.balance, ...(await this.store.read.transfers.supplierTotals(account.id)) };
  }

  /**
   * Money paid to the supplier outside the platform, booked as a payout transfer from its account:
   * at most its balance. Audited, with the balance before and after.
   */
  async payout(actor: Actor, input: { supplier: string; amount: number; note?: string | undefined }): Promise<Payout> {
    const note = (input.note ?? '').trim();
    if (note.length > MAX_NOTE_LENGTH) throw new DomainError('INVALID_INPUT', `A note is at most ${MAX_NOTE_LENGTH} characters`);
    const supplier = await supplierNamed(this.store.read, input.supplier);
    return this.audit.change(actor, { action: 'supplier.payout', target: `supplier:${supplier.name}` }, {
      before: async (repos) => ({ balance: (await repos.accounts.findBySupplier(supplier.id))?.balance ?? 0 }),
      change: async (repos) => {
        const balance = await this.ledger.payout(repos, { supplierId: supplier.id, name: supplier.name, amount: input.amount, note, now: this.clock.now() });
        return { supplier: supplier.name, amount: input.amount, note, balance };
      },
      after: (payout) => payout,
    });
  }

  /** A new key replaces the old one at once (shown once; only its hash is kept). */
  async rotateKey(name: string, by?: Actor): Promise<string> {
    const key = newSecret();
    await this.change(name, { key_hash: hashSecret(key), key_prefix: secretPrefix(key) }, { action: 'supplier.rotate_key', by, state: (s) => ({ keyPrefix: s.key_prefix }) });
    return key;
  }

  /** A disabled supplier's key is refused and its numbers are not handed out; live orders run on. */
  async setEnabled(name: string, enabled: boolean, by?: Actor): Promise<SupplierSummary> {
    await this.change(name, { enabled: enabled ? 1 : 0 }, { action: enabled ? 'supplier.enable' : 'supplier.disable', by, state: (s) => ({ enabled: s.enabled === 1 }) });
    return this.show(name);
  }

  /** The supplier's share of charges made from now on. */
  async setShare(name: string, shareBp: number, by?: Actor): Promise<SupplierSummary> {
    checkShare(shareBp);
    await this.change(name, { share_bp: shareBp }, { action: 'supplier.share', by, state: (s) => ({ shareBp: s.share_bp }) });
    return this.show(name);
  }

  /** Starts or stops serving channels: its numbers go to (or leave) those channels' projects. */
  async changeChannels(name: string, change: { add?: number[]; remove?: number[] }, by?: Actor): Promise<SupplierSummary> {
    const add = change.add ?? [];
    const remove = change.remove ?? [];
    const both = add.find((channel) => remove.includes(channel));
    if (both !== undefined) throw new DomainError('INVALID_INPUT', `Channel ${both} is both added and removed`);
    for (const channel of add) await this.catalog.ensureChannel(channel);
    const channels = async (repos: Repositories) => {
      const supplier = await supplierNamed(repos, name);
      return { channels: (await repos.suppliers.channelsOf([supplier.id])).get(supplier.id) ?? [] };
    };
    await this.audit.change(by, { action: 'supplier.channels', target: `supplier:${name}` }, {
      before: channels,
      change: async (repos) => {
        const supplier = await supplierNamed(repos, name);
        for (const channel of add) await repos.suppliers.addChannel(supplier.id, channel);
        for (const channel of remove) await repos.suppliers.removeChannel(supplier.id, channel);
      },
    });
    this.catalog.forgetTerms();
    return this.show(name);
  }

  /** An admin's change to the supplier's row, audited with `state`, what admins see of the row, before and after. */
  private async change(
    name: string,
    changes: Partial<Pick<SupplierRow, 'key_hash' | 'key_prefix' | 'enabled' | 'share_bp'>>,
    audited: { action: string; by: Actor | undefined; state: (supplier: SupplierRow) => unknown },
  ): Promise<void> {
    await this.audit.change(audited.by, { action: audited.action, target: `supplier:${name}` }, {
      before: async (repos) => audited.state(await supplierNamed(repos, name)),
      change: async (repos) => {
        const supplier = await supplierNamed(repos, name);
        await repos.suppliers.update(supplier.id, { ...changes, updated_at: this.clock.now() });
      },
    });
    // Whether a channel has an enabled supplier is part of the projects' cached terms.
    this.catalog.forgetTerms();
  }

  /**
   * Registers numbers or updates their country and operator (idempotent). New numbers start
   * offline: a supplier says which are in a modem right now with setOnline. Worked through in short
   * transactions (see batches.ts): a call that fails half way may have registered some numbers, and
   * repeating it is safe.
   */
  async registerNumbers(supplierId: number, inputs: NumberInput[]): Promise<{ registered: number }> {
    if (inputs.length > MAX_NUMBERS_PER_CALL) throw new DomainError('INVALID_INPUT', `At most ${MAX_NUMBERS_PER_CALL} numbers per call`);
    const numbers = new Map<string, NumberRegistration>();
    const slots = new Set<string>();
    let elsewhere = 0;
    for await (const batch of inBatches(inputs)) {
      const slice = batch.map((input) => {
        const number = normalizeNumber(input.number);
        if (!number) throw new DomainError('INVALID_INPUT', `${input.number} is not an international phone number`);
        const country = normalizeCountry(input.country);
        if (!country) throw new DomainError('INVALID_INPUT', `${input.country} is not an ISO 3166 country code`);
        const operator = (input.operator ?? 'any').trim().toLowerCase() || 'any';
        const device = input.device?.trim() || null;
        const slot = input.slot ?? null;
        if (slot !== null && device === null) throw new DomainError('INVALID_INPUT', `${input.number}: a slot belongs to a device; give the device too`);
        if (device !== null) {
          const place = JSON.stringify([device, slot]);
          if (slots.has(place)) throw new DomainError('INVALID_INPUT', `Two numbers in device ${device}${slot === null ? '' : ` slot ${slot}`}: a slot holds one SIM`);
          slots.add(place);
        }
        return { number, country, operator, draw: randomDraw(), device, slot };
      });
      for (const n of slice) numbers.set(n.number, n);
      elsewhere += await this.store.read.numbers.ownedElsewhere(supplierId, slice.map((n) => n.number));
    }
    if (elsewhere > 0) throw ownedElsewhere(elsewhere);
    const now = this.clock.now();
    for await (const batch of inBatches([...numbers.values()])) {
      await this.store.transaction(async (repos) => {
        // Another supplier may have registered one since the check: refuse this slice too.
        const taken = await repos.numbers.upsert(supplierId, batch, now);
        if (taken > 0) throw ownedElsewhere(taken);
      });
    }
    return { registered: numbers.size };
  }

  /**
   * Exactly these numbers are online now, seen now (the heartbeat); the supplier's others go offline
   * (the SIMs left the modems). Numbers come online before the others go offline, so the pool never
   * dips; one call per supplier at a time in this process, so two overlapping calls cannot interleave
   * their slices.
   */
  async setOnline(supplierId: number, inputs: string[]): Promise<{ online: number }> {
    const numbers = normalizeNumbers(inputs);
    const previous = this.onlineCalls.get(supplierId) ?? Promise.resolve();
    const call = previous.catch(() => undefined).then(() => this.replaceOnlineSet(supplierId, numbers));
    this.onlineCalls.set(supplierId, call);
    try {
      return await call;
    } finally {
      if (this.onlineCalls.get(supplierId) === call) this.onlineCalls.delete(supplierId);
    }
  }

  private async replaceOnlineSet(supplierId: number, numbers: string[]): Promise<{ online: number }> {
    const read = this.store.read.numbers;
    const unknown: string[] = [];
    for await (const batch of inBatches(numbers)) unknown.push(...(await read.unknownOf(supplierId, batch)));
    if (unknown.length > 0) {
      const examples = unknown.slice(0, 10).join(', ');
      throw new DomainError('UNKNOWN_NUMBER', `${unknown.length} numbers are not registered by this supplier: ${examples}${unknown.length > 10 ? ', ...' : ''}`, {
        count: unknown.length,
        numbers: unknown.slice(0, 100),
      });
    }
    const wanted = new Set(numbers);
    const online = new Set<string>();
    for (let afterId = 0; ; ) {
      const page = await read.onlinePage(supplierId, afterId, BATCH_ROWS);
      for (const row of page) online.add(row.number);
      if (page.length < BATCH_ROWS) break;
      afterId = page[page.length - 1]!.id;
      await new Promise((resolve) => setImmediate(resolve));
    }
    const now = this.clock.now();
    const flip = async (list: string[], on: boolean) => {
      for await (const batch of inBatches(list)) await this.store.transaction((repos) => repos.numbers.setOnline(supplierId, batch, on, now));
    };
    await flip(numbers, true);
    await flip([...online].filter((n) => !wanted.has(n)), false);
    return { online: numbers.length };
  }
}

/** How many, never which: who supplies a number is no other supplier's business. */
function ownedElsewhere(count: number): DomainError {
  return new DomainError('NUMBER_OWNED_ELSEWHERE', `${count} of these numbers ${count === 1 ? 'is' : 'are'} registered by another supplier`, { count });
}
