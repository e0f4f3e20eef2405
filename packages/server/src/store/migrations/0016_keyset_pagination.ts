import { sql, type Kysely } from 'kysely';
import type { DialectSupport } from '../dialect.js';

// Order history that stays flat as it grows (DESIGN §6 Speed): every filter a customer or an admin
// pages by has an index that reads its rows newest first, and the unfiltered count is a counter on
// the account instead of a count over the customer's whole history.

// `any`: a migration describes the schema as it was then, not as the current types say.
export async function up(db: Kysely<any>, dialect: DialectSupport): Promise<void> {
  // (user_id, number) ended in the row id on SQLite only; Postgres needs id in the index to read a
  // number's orders newest first without sorting them.
  await db.schema.dropIndex('orders_user_number').execute();
  await db.schema.createIndex('orders_user_number').on('orders').columns(['user_id', 'number', 'id']).execute();
  // smsStatus=waiting (or received) is a few rows among a million: without this, a page of them scans history.
  await db.schema.createIndex('orders_user_sms').on('orders').columns(['user_id', 'sms_status', 'id']).execute();
  // A time window, read in creation order (id breaks ties, and is the cursor's second half).
  await db.schema.createIndex('orders_user_time').on('orders').columns(['user_id', 'created_at', 'id']).execute();
  // The admin list by SMS status across every customer.
  await db.schema.createIndex('orders_sms').on('orders').columns(['sms_status', 'id']).execute();

  // Orders ever taken by the account's owner: `count` of an unfiltered history without counting it.
  await db.schema.alterTable('accounts').addColumn('orders_taken', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  await sql`update accounts set orders_taken = (select count(*) from orders where orders.user_id = accounts.user_id) where user_id is not null`.execute(db);
  // Kept in step by the database in the transaction that inserts the order, whichever statement does
  // it. Orders are never deleted, so no delete trigger. Backups copy files (SQLite) or restore data
  // before triggers (pg_restore), so a restore does not count twice.
  if (dialect.name === 'postgres') {
    // Once per statement, from the statement's new rows: a statement that inserts many orders of one
    // customer updates its account row once (each update of a row in one transaction adds a version
    // that the next must walk past).
    await sql`
      create function orders_count_taken() returns trigger language plpgsql as $$
      begin
        update accounts a set orders_taken = a.orders_taken + n.taken
        from (select user_id, count(*) as taken from inserted group by user_id) n
        where a.user_id = n.user_id;
        return null;
      end $$`.execute(db);
    await sql`create trigger orders_taken after insert on orders referencing new table as inserted for each statement execute function orders_count_taken()`.execute(db);
  } else {
    // SQLite has row triggers only; it updates the row in place.
    await sql`
      create trigger orders_taken after insert on orders for each row
      begin
        update accounts set orders_taken = orders_taken + 1 where user_id = new.user_id;
      end`.execute(db);
  }
}
