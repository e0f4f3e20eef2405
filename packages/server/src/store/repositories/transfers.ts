import { sql, type Insertable, type Kysely } from 'kysely';
import type { DialectSupport } from '../dialect.js';
import { prepared } from '../prepared.js';
import type { Database, TransferKind, TransferRow, TransfersTable } from '../schema.js';

/** A transfer that moved an account's posted money, with the account's posted balance right after it. */
export interface StatementRow {
  id: number;
  kind: TransferKind;
  /** Positive: into the account; negative: out of it. */
  amount: number;
  balance: number;
  note: string;
  /** The recharge order's payment method, for a recharge. */
  payment: string | null;
  /** The service of the order's project, for a charge. */
  service: string | null;
  created_at: number;
}

/** Transfers that move a customer's posted money: what a statement lists. */
const STATEMENT_KINDS: TransferKind[] = ['charge', 'recharge', 'adjustment'];

const insertQuery = prepared((db, row: Insertable<TransfersTable>) => db.insertInto('transfers').values(row).returning('id'));

export class TransferRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectSupport,
  ) {}

  async insert(transfer: Insertable<TransfersTable>): Promise<number> {
    // Every column, always: one statement shape, compiled once.
    const row = { pending_id: null, order_id: null, recharge_id: null, note: '', ...transfer };
    const { rows } = await insertQuery(this.db, this.dialect.name, row);
    return rows[0]!.id;
  }

  findById(id: number): Promise<TransferRow | undefined> {
    return this.db.selectFrom('transfers').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /**
   * The account's posted-money transfers (charges, recharges, adjustments) by id, each with the posted
   * balance right after it: a running sum over every earlier one, whatever page is read.
   */
  async statement(accountId: number, page: { offset: number; limit: number }, direction: 'asc' | 'desc'): Promise<{ count: number; rows: StatementRow[] }> {
    const mine = this.db
      .selectFrom('transfers as t')
      .where('t.kind', 'in', STATEMENT_KINDS)
      .where((eb) => eb.or([eb('t.debit_account_id', '=', accountId), eb('t.credit_account_id', '=', accountId)]));
    const signed = sql<number>`case when t.credit_account_id = ${accountId} then t.amount else -t.amount end`;
    const withBalance = mine
      .leftJoin('recharge_orders as r', 'r.id', 't.recharge_id')
      .leftJoin('orders as o', 'o.id', 't.order_id')
      .leftJoin('projects as p', 'p.id', 'o.project_id')
      .select([
        't.id',
        't.kind',
        signed.as('amount'),
        sql<number | string>`sum(${signed}) over (order by t.id)`.as('balance'),
        't.note',
        'r.payment',
        'p.service',
        't.created_at',
      ]);
    const [total, rows] = await Promise.all([
      mine.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
      this.db.selectFrom(withBalance.as('s')).selectAll().orderBy('s.id', direction).offset(page.offset).limit(page.limit).execute(),
    ]);
    // sum() of a bigint is numeric in Postgres, which arrives as a string.
    return { count: Number(total.n), rows: rows.map((r) => ({ ...r, amount: Number(r.amount), balance: Number(r.balance) })) };
  }

  /** Per account: money credited minus money debited by transfers of these kinds. */
  async netByAccount(kinds: readonly TransferKind[]): Promise<Map<number, number>> {
    const sum = (side: 'credit_account_id' | 'debit_account_id') =>
      this.db
        .selectFrom('transfers')
        .select([`${side} as account`, (eb) => eb.fn.sum<string | number>('amount').as('total')])
        .where('kind', 'in', [...kinds])
        .groupBy(side)
        .execute();
    const [credits, debits] = await Promise.all([sum('credit_account_id'), sum('debit_account_id')]);
    const net = new Map<number, number>();
    // sum() of a bigint is numeric in Postgres, which arrives as a string.
    for (const r of credits) net.set(r.account, (net.get(r.account) ?? 0) + Number(r.total));
    for (const r of debits) net.set(r.account, (net.get(r.account) ?? 0) - Number(r.total));
    return net;
  }

  /** A supplier's account: every share credited to it and every payout taken from it, in cents. */
  async supplierTotals(accountId: number): Promise<{ earned: number; paidOut: number }> {
    const rows = await this.db
      .selectFrom('transfers')
      .select(['kind', (eb) => eb.fn.sum<string | number>('amount').as('total')])
      .where((eb) =>
        eb.or([
          eb.and([eb('credit_account_id', '=', accountId), eb('kind', '=', 'supplier_share')]),
          eb.and([eb('debit_account_id', '=', accountId), eb('kind', '=', 'payout')]),
        ]),
      )
      .groupBy('kind')
      .execute();
    const total = (kind: string) => Number(rows.find((r) => r.kind === kind)?.total ?? 0);
    return { earned: total('supplier_share'), paidOut: total('payout') };
  }

  /** Per account: the holds no charge, refund or expiry has resolved yet. */
  async openHoldsByAccount(): Promise<Map<number, number>> {
    const rows = await this.db
      .selectFrom('transfers as h')
      .select(['h.debit_account_id as account', (eb) => eb.fn.sum<string | number>('h.amount').as('total')])
      .where('h.kind', '=', 'hold')
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('transfers as r').select('r.id').whereRef('r.pending_id', '=', 'h.id'))))
      .groupBy('h.debit_account_id')
      .execute();
    return new Map(rows.map((r) => [r.account, Number(r.total)]));
  }

  /** Holds resolved more than once (the unique index forbids it; the audit checks anyway). */
  async resolvedTwice(): Promise<number[]> {
    const rows = await this.db
      .selectFrom('transfers')
      .select('pending_id')
      .where('pending_id', 'is not', null)
      .groupBy('pending_id')
      .having((eb) => eb.fn.countAll(), '>', 1)
      .execute();
    return rows.map((r) => r.pending_id!);
  }
}
