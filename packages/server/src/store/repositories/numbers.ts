import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DialectSupport } from '../dialect.js';
import { prepared } from '../prepared.js';
import type { BlacklistReason, Database, NumberRow } from '../schema.js';

export interface BlacklistEntryRow {
  number: string;
  project_id: number;
  enname: string;
  reason: BlacklistReason;
  note: string;
  /** Users who shielded the number for the project. */
  shields: number;
  created_at: number;
}

export interface NumberRegistration {
  number: string;
  country: string;
  operator: string;
  draw: number;
  /** Where its SIM sits, for gateways that report a device and slot rather than the receiving number. */
  device: string | null;
  slot: number | null;
}

export interface FreeNumberQuery {
  projectId: number;
  channelId: number;
  /** Allowed countries; undefined = any. */
  countries?: string[] | undefined;
  /** Ask for this number; its own past use of the project does not exclude it for this user. */
  number?: string | undefined;
  userId: number;
  /** Start the walk at this random position, to spread concurrent takers over the pool. */
  fromDraw: number;
  /** Only numbers of these operators; empty = any. */
  operators?: string[] | undefined;
  /** Never numbers that start with these digits. */
  excludePrefixes?: string[] | undefined;
  /** Numbers resting until after this moment are passed over. */
  now: number;
}

export type FreeNumber = Pick<NumberRow, 'id' | 'number' | 'supplier_id' | 'country' | 'operator'>;

export interface NumberFilter {
  supplierId?: number | undefined;
  country?: string | undefined;
  online?: boolean | undefined;
  /** Only this number. */
  number?: string | undefined;
  /** Removed numbers instead of the pool; undefined: both. */
  removed?: boolean | undefined;
}

/** A number as admins and its supplier list it: its supplier's name and the public id of its live order. */
export type NumberListRow = Pick<
  NumberRow,
  'id' | 'number' | 'country' | 'operator' | 'online' | 'removed_at' | 'last_seen_at' | 'consecutive_failures' | 'rested_until' | 'created_at'
> & {
  supplier: string;
  order_id: string | null;
};

/** What a number did for one project: orders taken, how many got an SMS, and the last SMS delivered. */
export interface NumberHealthRow {
  number_id: number;
  project_id: number;
  enname: string;
  orders: number;
  delivered: number;
  last_sms_at: number | null;
}

/** Bound parameters per statement stay far below SQLite's (32766) and Postgres' (65535) limits. */
const CHUNK = 1000;

function* chunks<T>(items: T[]): Generator<T[]> {
  for (let i = 0; i < items.length; i += CHUNK) yield items.slice(i, i + CHUNK);
}

export type FreeShape = 'from-draw' | 'before-draw' | 'number';
const findFreeQueries = new Map<string, ReturnType<typeof findFreeFor>>();

/** One query per way of finding: walking from or before the draw, or one given number. */
function findFreeQuery(shape: FreeShape, rowLocks: boolean) {
  const key = `${shape}:${rowLocks}`;
  let query = findFreeQueries.get(key);
  if (!query) findFreeQueries.set(key, (query = findFreeFor(shape, rowLocks)));
  return query;
}

/** NumberRepository.findFree's query for one shape. */
function findFreeFor(shape: FreeShape, rowLocks: boolean) {
  return prepared((db, ...args: FreeNumberArgs) => freeNumberQuery(db, shape, rowLocks, 1, undefined, ...args));
}

/** findFree's values in the order its queries take them; `bound` is the draw, or the number asked for. */
export type FreeNumberArgs = [projectId: number, channelId: number, userId: number, now: number, bound: number | string, countries: string[], operators: string[], prefixes: string[]];

/** The values of the query that finds a free number, or nothing when no country at all is allowed. */
export function freeNumberArgs(query: FreeNumberQuery): FreeNumberArgs | undefined {
  const countries = query.countries ?? [];
  if (query.countries && countries.length === 0) return undefined;
  const prefixes = (query.excludePrefixes ?? []).map((p) => `${p}%`);
  return [query.projectId, query.channelId, query.userId, query.now, query.number ?? query.fromDraw, countries, query.operators ?? [], prefixes];
}

/**
 * The one query that finds free numbers (up to `limit` on a walk), for findFree and for statements
 * that find and take them at once (OrderRepository.open on Postgres). `shieldedBy`: the users whose
 * shields pass a number over, as a subquery (several customers' orders at once); undefined: the user's.
 */
export function freeNumberQuery(db: Kysely<Database>, shape: FreeShape, rowLocks: boolean, limit: number, shieldedBy: RawBuilder<number> | undefined, ...[projectId, channelId, userId, now, bound, countries, operators, prefixes]: FreeNumberArgs) {
  let q = db
    .selectFrom('numbers as n')
    .select(['n.id', 'n.number', 'n.supplier_id', 'n.country', 'n.operator'])
    .where('n.online', '=', 1)
    .where('n.active_order_id', 'is', null)
    .where('n.removed_at', 'is', null)
    // Resting: too many orders in a row ended without an SMS (domain/number-health.ts).
    .where((eb) => eb.or([eb('n.rested_until', 'is', null), eb('n.rested_until', '<=', now)]))
    // Most rows of a busy pool fail here (already used for the project), so it is checked first.
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('number_usages as u')
            .select('u.number_id')
            .whereRef('u.number_id', '=', 'n.id')
            .where('u.project_id', '=', projectId)
            .$if(shape === 'number', (sq) => sq.where('u.user_id', '<>', userId)),
        ),
      ),
    )
    // A correlated EXISTS, not `supplier_id IN (...)`: with IN, both SQLite and Postgres (without
    // fresh statistics) walk every number of the channel's suppliers and sort them, instead of
    // walking the draw index and stopping at the first free number (40 ms vs 0.1 ms per call).
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('supplier_channels as sc')
          .innerJoin('suppliers as s', 's.id', 'sc.supplier_id')
          .select('sc.supplier_id')
          .whereRef('sc.supplier_id', '=', 'n.supplier_id')
          .where('sc.channel_id', '=', channelId)
          .where('s.enabled', '=', 1),
      ),
    )
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('number_blacklist as b').select('b.number_id').whereRef('b.number_id', '=', 'n.id').where('b.project_id', '=', projectId))),
    )
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('number_shields as sh')
            .select('sh.number_id')
            .whereRef('sh.number_id', '=', 'n.id')
            .where('sh.project_id', '=', projectId)
            .where('sh.user_id', shieldedBy ? 'in' : '=', shieldedBy ?? userId),
        ),
      ),
    );
  if (countries.length === 1) q = q.where('n.country', '=', countries[0]!);
  else if (countries.length > 1) q = q.where('n.country', 'in', countries);
  if (operators.length > 0) q = q.where('n.operator', 'in', operators);
  // A prefix arrives as a LIKE pattern ('7918%'): digits only, so nothing in it needs escaping.
  for (const prefix of prefixes) q = q.where('n.number', 'not like', prefix);
  if (shape === 'number') q = q.where('n.number', '=', bound as string);
  else q = q.where('n.draw', shape === 'from-draw' ? '>=' : '<', bound as number).orderBy('n.draw').limit(limit);
  return rowLocks ? q.forUpdate().skipLocked() : q;
}

/** Online numbers, counted in the partial index numbers_online rather than the whole pool. */
export const onlineCountQuery = (db: Kysely<Database>) =>
  db.selectFrom('numbers').select((eb) => eb.fn.countAll<number | string>().as('n')).where('online', '=', sql.lit(1));

const claimQuery = prepared((db, orderId: number, now: number, numberId: number) =>
  db.updateTable('numbers').set({ active_order_id: orderId, updated_at: now }).where('id', '=', numberId).where('active_order_id', 'is', null),
);

export class NumberRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectSupport,
  ) {}

  /**
   * Registers numbers or updates their country/operator. Numbers that already belong to another
   * supplier are left alone and counted, so the caller can refuse them.
   */
  async upsert(supplierId: number, numbers: NumberRegistration[], now: number): Promise<number> {
    let elsewhere = 0;
    for (const batch of chunks(numbers)) {
      await this.vacateSlots(supplierId, batch);
      await this.db
        .insertInto('numbers')
        .values(
          batch.map((n) => ({
            supplier_id: supplierId,
            number: n.number,
            country: n.country,
            operator: n.operator,
            online: 0 as const,
            active_order_id: null,
            draw: n.draw,
            device: n.device,
            slot: n.slot,
            created_at: now,
            updated_at: now,
          })),
        )
        // A removed number is as good as unregistered: whoever registers it gets it back.
        .onConflict((oc) =>
          oc
            .column('number')
            .doUpdateSet((eb) => ({
              supplier_id: supplierId,
              removed_at: null,
              country: eb.ref('excluded.country'),
              operator: eb.ref('excluded.operator'),
              device: eb.ref('excluded.device'),
              slot: eb.ref('excluded.slot'),
              updated_at: now,
            }))
            .where((eb) => eb.or([eb('numbers.supplier_id', '=', supplierId), eb('numbers.removed_at', 'is not', null)])),
        )
        .execute();
      elsewhere += await this.ownedElsewhere(supplierId, batch.map((n) => n.number));
    }
    return elsewhere;
  }

  /**
   * A SIM registered in a device slot pushes out the number that sat there before (the SIM bank
   * switched it). The slots are emptied first, so SIMs may also swap slots within one call.
   */
  private async vacateSlots(supplierId: number, numbers: NumberRegistration[]): Promise<void> {
    const placed = numbers.filter((n) => n.device !== null);
    if (placed.length === 0) return;
    await this.db
      .updateTable('numbers')
      .set({ device: null, slot: null })
      .where('supplier_id', '=', supplierId)
      .where((eb) =>
        eb.or(
          placed.map((n) => eb.and([eb('device', '=', n.device), n.slot === null ? eb('slot', 'is', null) : eb('slot', '=', n.slot)])),
        ),
      )
      .execute();
  }

  /** How many of these numbers another supplier registered (and has not removed). */
  async ownedElsewhere(supplierId: number, numbers: string[]): Promise<number> {
    let count = 0;
    for (const batch of chunks(numbers)) {
      const row = await this.db
        .selectFrom('numbers')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('number', 'in', batch)
        .where('supplier_id', '<>', supplierId)
        .where('removed_at', 'is', null)
        .executeTakeFirstOrThrow();
      count += Number(row.n);
    }
    return count;
  }

  /** Turns these numbers of the supplier online (seen now) or offline. */
  async setOnline(supplierId: number, numbers: string[], online: boolean, now: number): Promise<void> {
    for (const batch of chunks(numbers)) {
      await this.db
        .updateTable('numbers')
        .set(online ? { online: 1, last_seen_at: now, updated_at: now } : { online: 0, updated_at: now })
        .where('supplier_id', '=', supplierId)
        .where('number', 'in', batch)
        .execute();
    }
  }

  /** The supplier's online numbers, a page at a time in id order (keyset: `afterId` is the last id seen). */
  onlinePage(supplierId: number, afterId: number, limit: number): Promise<{ id: number; number: string }[]> {
    return this.db
      .selectFrom('numbers')
      .select(['id', 'number'])
      .where('supplier_id', '=', supplierId)
      .where('online', '=', 1)
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  /** Of these numbers, the ones not in the supplier's pool (never registered by it, or removed). */
  async unknownOf(supplierId: number, numbers: string[]): Promise<string[]> {
    const known = new Set<string>();
    for (const batch of chunks(numbers)) {
      const rows = await this.db
        .selectFrom('numbers')
        .select('number')
        .where('supplier_id', '=', supplierId)
        .where('removed_at', 'is', null)
        .where('number', 'in', batch)
        .execute();
      for (const row of rows) known.add(row.number);
    }
    return numbers.filter((n) => !known.has(n));
  }

  /** A gateway device reported in: every number in its slots is online, seen now. */
  async seenOnDevice(supplierId: number, device: string, now: number): Promise<void> {
    await this.db
      .updateTable('numbers')
      .set({ online: 1, last_seen_at: now, updated_at: now })
      .where('supplier_id', '=', supplierId)
      .where('device', '=', device)
      .where('removed_at', 'is', null)
      .execute();
  }

  /** The supplier's numbers in a device, with their slots. */
  onDevice(supplierId: number, device: string): Promise<Pick<NumberRow, 'number' | 'slot'>[]> {
    return this.db
      .selectFrom('numbers')
      .select(['number', 'slot'])
      .where('supplier_id', '=', supplierId)
      .where('device', '=', device)
      .where('removed_at', 'is', null)
      .execute();
  }

  /** Turns offline up to `limit` online numbers last seen before `cutoff`; returns how many. */
  async takeStaleOffline(cutoff: number, limit: number, now: number): Promise<number> {
    const result = await this.db
      .updateTable('numbers')
      .set({ online: 0, updated_at: now })
      .where('id', 'in', (eb) =>
        eb.selectFrom('numbers').select('id').where('online', '=', 1).where('last_seen_at', '<', cutoff).limit(limit),
      )
      // Checked again on the row itself: on Postgres a number seen meanwhile is re-read here, not taken offline.
      .where('online', '=', 1)
      .where('last_seen_at', '<', cutoff)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  findById(id: number): Promise<NumberRow | undefined> {
    return this.db.selectFrom('numbers').selectAll().where('id', '=', id).executeTakeFirst();
  }

  findByNumber(number: string): Promise<NumberRow | undefined> {
    return this.db.selectFrom('numbers').selectAll().where('number', '=', number).executeTakeFirst();
  }

  /** These numbers, for a change; on Postgres the rows stay locked until the transaction ends. */
  async lockMany(numbers: string[]): Promise<Pick<NumberRow, 'id' | 'number' | 'active_order_id' | 'removed_at'>[]> {
    const rows = [];
    for (const batch of chunks(numbers)) {
      let q = this.db.selectFrom('numbers').select(['id', 'number', 'active_order_id', 'removed_at']).where('number', 'in', batch);
      if (this.dialect.rowLocks) q = q.forUpdate();
      rows.push(...(await q.execute()));
    }
    return rows;
  }

  /** Takes numbers out of the pool for good (their history stays). */
  async remove(ids: number[], now: number): Promise<number> {
    let removed = 0;
    for (const batch of chunks(ids)) {
      const result = await this.db
        .updateTable('numbers')
        .set({ removed_at: now, online: 0, updated_at: now })
        .where('id', 'in', batch)
        .where('removed_at', 'is', null)
        .executeTakeFirst();
      removed += Number(result.numUpdatedRows);
    }
    return removed;
  }

  /** Gives a supplier's pool numbers (all of them, or these) to another supplier. Returns how many moved. */
  async transfer(fromId: number, toId: number, numbers: string[] | undefined, now: number): Promise<number> {
    const move = (batch?: string[]) =>
      this.db
        .updateTable('numbers')
        .set({ supplier_id: toId, updated_at: now })
        .where('supplier_id', '=', fromId)
        .where('removed_at', 'is', null)
        .$if(batch !== undefined, (q) => q.where('number', 'in', batch!))
        .executeTakeFirst();
    if (numbers === undefined) return Number((await move()).numUpdatedRows);
    let moved = 0;
    for (const batch of chunks(numbers)) moved += Number((await move(batch)).numUpdatedRows);
    return moved;
  }

  async list(filter: NumberFilter, page: { offset: number; limit: number }): Promise<{ count: number; rows: NumberListRow[] }> {
    let q = this.db.selectFrom('numbers as n');
    if (filter.removed !== undefined) q = q.where('n.removed_at', filter.removed ? 'is not' : 'is', null);
    if (filter.number !== undefined) q = q.where('n.number', '=', filter.number);
    if (filter.supplierId !== undefined) q = q.where('n.supplier_id', '=', filter.supplierId);
    if (filter.country !== undefined) q = q.where('n.country', '=', filter.country);
    if (filter.online !== undefined) q = q.where('n.online', '=', filter.online ? 1 : 0);
    const [total, rows] = await Promise.all([
      q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      q
        .innerJoin('suppliers as s', 's.id', 'n.supplier_id')
        .leftJoin('orders as o', 'o.id', 'n.active_order_id')
        .select([
          'n.id',
          'n.number',
          'n.country',
          'n.operator',
          'n.online',
          'n.removed_at',
          'n.last_seen_at',
          'n.consecutive_failures',
          'n.rested_until',
          'n.created_at',
          's.name as supplier',
          'o.public_id as order_id',
        ])
        .orderBy('n.id')
        .offset(page.offset)
        .limit(page.limit)
        .execute(),
    ]);
    return { count: Number(total.n), rows };
  }

  /**
   * One number that may serve the order (DESIGN §3): online, free, in an allowed country, from a
   * supplier on the project's channel, not blacklisted for the project, never used for it before.
   * On Postgres the row is locked and locked rows are skipped, so concurrent takers never wait on
   * each other; SQLite serialises write transactions instead.
   */
  async findFree(query: FreeNumberQuery, range: 'from-draw' | 'before-draw'): Promise<FreeNumber | undefined> {
    const args = freeNumberArgs(query);
    if (!args) return undefined;
    const run = findFreeQuery(query.number !== undefined ? 'number' : range, this.dialect.rowLocks);
    return (await run(this.db, this.dialect.name, ...args)).rows[0];
  }

  /**
   * Free numbers now, by channel, country and operator: online, no live order, not removed, from an
   * enabled supplier. One pass over the online numbers (the partial index numbers_online).
   */
  async freeCounts(): Promise<{ channel_id: number; country: string; operator: string; n: number }[]> {
    const rows = await this.db
      .selectFrom('numbers as n')
      .innerJoin('suppliers as s', 's.id', 'n.supplier_id')
      .innerJoin('supplier_channels as sc', 'sc.supplier_id', 'n.supplier_id')
      .select(['sc.channel_id', 'n.country', 'n.operator', (eb) => eb.fn.countAll<number>().as('n')])
      .where('n.online', '=', 1)
      .where('n.active_order_id', 'is', null)
      .where('n.removed_at', 'is', null)
      .where('s.enabled', '=', 1)
      .groupBy(['sc.channel_id', 'n.country', 'n.operator'])
      .execute();
    return rows.map((r) => ({ ...r, n: Number(r.n) }));
  }

  /** Returns false when someone else took the number first. */
  async claim(numberId: number, orderId: number, now: number): Promise<boolean> {
    const result = await claimQuery(this.db, this.dialect.name, orderId, now, numberId);
    return result.numAffectedRows === 1n;
  }

  async free(numberId: number, orderId: number, now: number): Promise<void> {
    await this.db
      .updateTable('numbers')
      .set({ active_order_id: null, updated_at: now })
      .where('id', '=', numberId)
      .where('active_order_id', '=', orderId)
      .execute();
  }

  /**
   * An order on the number ended without an SMS: one more in a row, and once there are `restAfter`
   * (0 = never) the number rests until `restUntil`. One statement, so concurrent ends count each.
   */
  async countFailure(numberId: number, restAfter: number, restUntil: number): Promise<void> {
    await this.db
      .updateTable('numbers')
      .set((eb) => ({
        consecutive_failures: eb('consecutive_failures', '+', 1),
        rested_until:
          restAfter > 0
            ? eb.case().when('consecutive_failures', '>=', restAfter - 1).then(restUntil).else(eb.ref('rested_until')).end()
            : eb.ref('rested_until'),
      }))
      .where('id', '=', numberId)
      .execute();
  }

  /** An SMS was delivered on the number: the failures in a row start again from 0. */
  async clearFailures(numberId: number): Promise<void> {
    await this.db.updateTable('numbers').set({ consecutive_failures: 0 }).where('id', '=', numberId).where('consecutive_failures', '>', 0).execute();
  }

  /** Per number and project: orders taken, orders that got an SMS, and the last SMS delivered (index orders_number_health). */
  async health(numberIds: number[]): Promise<NumberHealthRow[]> {
    if (numberIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('orders as o')
      .innerJoin('projects as p', 'p.id', 'o.project_id')
      .select((eb) => [
        'o.number_id',
        'o.project_id',
        'p.enname',
        eb.fn.countAll<number | string>().as('orders'),
        eb.fn.sum<number | string>(eb.case().when('o.sms_status', '=', 'received').then(1).else(0).end()).as('delivered'),
        eb.fn
          .max(eb.selectFrom('inbound_sms as m').select((e) => e.fn.max('m.received_at').as('at')).whereRef('m.order_id', '=', 'o.id'))
          .as('last_sms_at'),
      ])
      .where('o.number_id', 'in', numberIds)
      .groupBy(['o.number_id', 'o.project_id', 'p.enname'])
      .orderBy('o.number_id')
      .orderBy('o.project_id')
      .execute();
    // count() and sum() arrive as strings from Postgres.
    return rows.map((r) => ({
      number_id: r.number_id,
      project_id: r.project_id,
      enname: r.enname,
      orders: Number(r.orders),
      delivered: Number(r.delivered),
      last_sms_at: r.last_sms_at === null ? null : Number(r.last_sms_at),
    }));
  }

  async recordUsage(usage: { numberId: number; projectId: number; userId: number; orderId: number; now: number }): Promise<void> {
    await this.db
      .insertInto('number_usages')
      .values({ number_id: usage.numberId, project_id: usage.projectId, user_id: usage.userId, order_id: usage.orderId, created_at: usage.now })
      .onConflict((oc) => oc.columns(['number_id', 'project_id', 'user_id']).doNothing())
      .execute();
  }

  async shield(entry: { numberId: number; projectId: number; userId: number; orderId: number; now: number }): Promise<void> {
    await this.db
      .insertInto('number_shields')
      .values({ number_id: entry.numberId, project_id: entry.projectId, user_id: entry.userId, order_id: entry.orderId, created_at: entry.now })
      .onConflict((oc) => oc.columns(['number_id', 'project_id', 'user_id']).doNothing())
      .execute();
  }

  /** How many distinct users shielded the number for the project. */
  async shieldCount(entry: { numberId: number; projectId: number }): Promise<number> {
    const row = await this.db
      .selectFrom('number_shields')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('number_id', '=', entry.numberId)
      .where('project_id', '=', entry.projectId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Takes the number out of the project for everyone; returns false when it already was. */
  async blacklist(entry: { numberId: number; projectId: number; reason: BlacklistReason; note: string; now: number }): Promise<boolean> {
    const result = await this.db
      .insertInto('number_blacklist')
      .values({ number_id: entry.numberId, project_id: entry.projectId, reason: entry.reason, note: entry.note, created_at: entry.now })
      .onConflict((oc) => oc.columns(['number_id', 'project_id']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  /** The number's blacklist entry for the project, if it has one. */
  findBlacklisted(entry: { numberId: number; projectId: number }): Promise<{ reason: BlacklistReason; note: string } | undefined> {
    return this.db
      .selectFrom('number_blacklist')
      .select(['reason', 'note'])
      .where('number_id', '=', entry.numberId)
      .where('project_id', '=', entry.projectId)
      .executeTakeFirst();
  }

  /** Returns the project to the number; false when it was not blacklisted. Users' own shields stay. */
  async unblacklist(entry: { numberId: number; projectId: number }): Promise<boolean> {
    const result = await this.db
      .deleteFrom('number_blacklist')
      .where('number_id', '=', entry.numberId)
      .where('project_id', '=', entry.projectId)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async listBlacklist(filter: { projectId?: number | undefined; number?: string | undefined }, page: { offset: number; limit: number }): Promise<{ count: number; rows: BlacklistEntryRow[] }> {
    let q = this.db.selectFrom('number_blacklist as b').innerJoin('numbers as n', 'n.id', 'b.number_id').innerJoin('projects as p', 'p.id', 'b.project_id');
    if (filter.projectId !== undefined) q = q.where('b.project_id', '=', filter.projectId);
    if (filter.number !== undefined) q = q.where('n.number', '=', filter.number);
    const [total, rows] = await Promise.all([
      q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      q
        .select(['n.number', 'b.project_id', 'p.enname', 'b.reason', 'b.note', 'b.created_at'])
        .select((eb) =>
          eb
            .selectFrom('number_shields as sh')
            .select((e) => e.fn.countAll<number>().as('c'))
            .whereRef('sh.number_id', '=', 'b.number_id')
            .whereRef('sh.project_id', '=', 'b.project_id')
            .as('shields'),
        )
        .orderBy('b.created_at', 'desc')
        .orderBy('b.number_id')
        .offset(page.offset)
        .limit(page.limit)
        .execute(),
    ]);
    return { count: Number(total.n), rows: rows.map((r) => ({ ...r, shields: Number(r.shields ?? 0) })) };
  }

  async countOnline(): Promise<number> {
    return Number((await onlineCountQuery(this.db).executeTakeFirstOrThrow()).n);
  }
}
