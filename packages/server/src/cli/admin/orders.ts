// `fastpva admin order ...`: every user's orders, and what happened to one.
import { z } from 'zod';
import type { OrderQuery } from '../../domain/orders.js';
import { option, PAGING, required, text } from '../args.js';
import { adminCommand } from '../database.js';
import { fields, iso, paged, table } from '../output.js';

/** One --status for both of an order's states: its number's and its SMS's. */
const STATUS = z.enum(['receiving', 'released', 'waiting', 'received', 'failed'], { error: 'one of receiving, released, waiting, received, failed' });

function byStatus(status: z.infer<typeof STATUS> | undefined): Pick<OrderQuery, 'numberStatus' | 'smsStatus'> {
  if (status === 'receiving' || status === 'released') return { numberStatus: status };
  return { smsStatus: status };
}

const list = adminCommand({
  name: 'admin order list',
  summary: "orders, newest first: whose, which number and project, what state, what code",
  flags: {
    user: option('U', "only this user's orders", text),
    number: option('N', 'only orders on this number', text),
    status: option('S', 'receiving or released (the number), waiting, received or failed (the SMS)', STATUS),
    after: option('ORDERID', 'start after this order (the last of the previous page): deep pages cost what the first does', text),
    ...PAGING,
  },
  async run(p, o) {
    const result = await p.orders.listAll({ username: o.user, number: o.number, ...byStatus(o.status), after: o.after, page: o.page, limit: o.limit });
    const rows = table(
      ['ORDER', 'CREATED', 'USER', 'PROJECT', 'NUMBER', 'STATE', 'PRICE', 'CODE'],
      result.orders.map((r) => [r.orderId, iso(r.createdAt), r.username, `${r.project.enname} (${r.project.myPid})`, r.number, `${r.numberStatus}/${r.smsStatus}`, r.project.price, r.code || '-']),
    );
    return { json: result, text: paged(rows, result.count, o, 'orders') };
  },
});

const show = adminCommand({
  name: 'admin order show',
  summary: 'one order with every SMS its number received for it, delivered or kept from it (and why)',
  flags: { order: required('ORDERID', 'the 24-character order id', text) },
  async run(p, o) {
    const order = await p.orders.show(o.order);
    const summary = fields([
      ['order', order.orderId],
      ['user', order.username],
      ['project', `${order.project.enname} (${order.project.myPid}), ${order.project.price} cents`],
      ['number', `${order.number} (${order.country}) from ${order.supplier}`],
      ['state', `number ${order.numberStatus}, SMS ${order.smsStatus}`],
      ['code', order.code === null ? '-' : order.code || '(none found in the SMS)'],
      ['created', iso(order.createdAt)],
      [order.endedAt === null ? 'expires' : 'ended', iso(order.endedAt ?? order.expiresAt)],
    ]);
    const sms = order.sms.length
      ? table(
          ['RECEIVED', 'FROM', 'DELIVERED', 'CODE', 'TEXT'],
          order.sms.map((m) => [iso(m.receivedAt), m.sender || '?', m.delivered ? 'yes' : `no: ${m.reason ?? '?'}`, m.code ?? '-', JSON.stringify(m.text)]),
        )
      : 'No SMS';
    return { json: order, text: `${summary}\n\n${sms}` };
  },
});

export const ORDER_COMMANDS = [list, show];
