// The user center: what is for sale, buying a number, live orders as they change, history with its
// CSV export, favourites and recharge orders. The same domain calls as the customer APIs: one lifecycle.
import type { FastifyReply } from 'fastify';
import type { z } from 'zod';
import type { OrderChangeKind } from '../../domain/order-feed.js';
import type { OrderQuery, OrderSummary } from '../../domain/orders.js';
import type { ProjectView } from '../../domain/catalog.js';
import { projectStock, type StockRow } from '../../domain/stock.js';
import type { ZodApp } from '../contract.js';
import type { WebContext } from './context.js';
import { SESSION_COOKIE, readCookie } from './cookies.js';
import * as replies from './replies.js';
import * as schemas from './schemas.js';

/** One status word for both of an order's states (see schemas.ORDER_STATUSES). */
export function byStatus(status: (typeof schemas.ORDER_STATUSES)[number] | undefined): Pick<OrderQuery, 'numberStatus' | 'smsStatus'> {
  if (status === 'receiving' || status === 'released') return { numberStatus: status };
  return { smsStatus: status };
}

/**
 * A project as the buy page offers it: each country it sells in at this customer's price (the
 * project's own prices), with the numbers free there now (the stock table, counted every few seconds).
 */
function offer(project: ProjectView, stock: StockRow[]) {
  const free = new Map(projectStock(stock, project.myPid).map((c) => [c.country, c.count]));
  const prices = project.countryPrices ? Object.entries(project.countryPrices) : [...free.keys()].map((country) => [country, project.sellingPrice] as const);
  return {
    myPid: project.myPid,
    name: project.enname,
    channel: project.channel,
    favourite: project.collect,
    price: project.myPrice ?? project.sellingPrice,
    countries: prices
      .map(([country, price]) => ({ country, price: project.myPrice ?? price, count: free.get(country) ?? 0 }))
      .sort((a, b) => b.count - a.count || a.country.localeCompare(b.country)),
  };
}

/** The most rows one CSV export holds: a year of heavy use, and a bounded request. */
const CSV_MAX_ROWS = 10_000;
const CSV_COLUMNS = ['order_id', 'created_at', 'project', 'my_pid', 'number', 'price_usd', 'number_status', 'sms_status', 'code', 'sms'] as const;

/** RFC 4180 quoting; a cell a spreadsheet would run as a formula (=, +, -, @) is kept as text. */
function csvCell(value: string): string {
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const csvRow = (o: OrderSummary): string =>
  [o.orderId, new Date(o.createdAt).toISOString(), o.project.enname, String(o.project.myPid), o.number, (o.project.price / 100).toFixed(2), o.numberStatus, o.smsStatus, o.code ?? '', o.content ?? '']
    .map(csvCell)
    .join(',');

/** How often an idle event stream says it is alive (and checks its session still is). */
const EVENT_PING_MS = 20_000;

export function customerRoutes(app: ZodApp, web: WebContext): void {
  const { catalog, stock, orders, recharges, config, clock, feed, sessions } = web.platform;
  const userId = (request: Parameters<WebContext['session']>[0]) => web.session(request).userId;

  app.get(
    '/projects',
    { schema: { summary: 'Projects for sale, with prices and free numbers by country', querystring: schemas.projectsQuery, response: replies.answers('A page of projects', replies.projects) } },
    async (request) => {
      const q = request.query;
      const query = { keyword: q.keyword, page: q.page, limit: q.limit };
      const [{ count, projects }, rows] = await Promise.all([
        q.favourites === 'true' ? catalog.listCollects(userId(request), query) : catalog.listProjects(userId(request), { ...query, channel: 'all' }),
        stock.rows(),
      ]);
      return { count, projects: projects.map((p) => offer(p, rows)) };
    },
  );

  app.put('/favourites/:myPid', { schema: { summary: 'Add a favourite', params: schemas.myPidParams } }, async (request) => {
    const { myPid } = request.params;
    await catalog.collect(userId(request), myPid);
    return { favourite: true };
  });

  app.delete('/favourites/:myPid', { schema: { summary: 'Remove a favourite', params: schemas.myPidParams } }, async (request) => {
    const { myPid } = request.params;
    await catalog.uncollect(userId(request), myPid);
    return { favourite: false };
  });

  app.post('/orders', { schema: { summary: 'Buy a number', body: schemas.buy, response: replies.answers('The number and its order', replies.order) } }, async (request) => {
    const body = request.body;
    return orders.acquire({ userId: userId(request), myPid: body.myPid, locale: body.country });
  });

  // Live orders from every surface (FASTPVA, SMS-Activate, 5SIM, this page). `serverTime` lets the
  // page count down by the server's clock, whatever its own says.
  app.get('/orders/live', { schema: { summary: 'Your live orders' } }, async (request) => ({
    serverTime: clock.now(),
    orders: (await orders.liveActivations(userId(request))).map((o) => ({ ...o, releasableAt: o.createdAt + config.releaseAfterMs })),
  }));

  app.post('/orders/:orderId/release', { schema: { summary: 'Release an order\'s number', params: schemas.orderParams } }, async (request) => {
    const { orderId } = request.params;
    return orders.release(userId(request), orderId);
  });

  app.post('/orders/:orderId/shield', { schema: { summary: 'Never get this number again', params: schemas.orderParams } }, async (request) => {
    const { orderId } = request.params;
    return orders.shield(userId(request), orderId);
  });

  const historyQuery = (q: z.output<typeof schemas.historyQuery>): OrderQuery => ({
    page: q.page,
    limit: q.limit,
    from: q.from,
    to: q.to,
    myPid: q.myPid,
    number: q.number,
    after: q.after,
    ...byStatus(q.status),
  });

  app.get('/orders', { schema: { summary: 'Your order history', querystring: schemas.historyQuery } }, async (request) => orders.list(userId(request), historyQuery(request.query)));

  app.get('/orders.csv', { schema: { summary: 'Your order history as CSV', querystring: schemas.historyQuery, response: { 200: replies.file('One line per order', 'text/csv') } } }, async (request, reply) => {
    const query = historyQuery(request.query);
    const lines = [CSV_COLUMNS.join(',')];
    // Page by the cursor, so the last page of a long history costs what the first does.
    for (let after = query.after; lines.length <= CSV_MAX_ROWS; ) {
      const { orders: rows } = await orders.list(userId(request), { ...query, page: 1, limit: 100, after });
      lines.push(...rows.map(csvRow));
      if (rows.length < 100) break;
      after = rows.at(-1)!.orderId;
    }
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="fastpva-orders-${new Date(clock.now()).toISOString().slice(0, 10)}.csv"`)
      .send(`${lines.slice(0, CSV_MAX_ROWS + 1).join('\r\n')}\r\n`);
  });

  app.get('/recharges', { schema: { summary: 'Your recharge orders', querystring: schemas.rechargeQuery } }, async (request) => {
    const q = request.query;
    return { recharges: await recharges.list(userId(request), q) };
  });

  app.post('/recharges', { schema: { summary: 'Open a recharge order', body: schemas.newRecharge } }, async (request) => {
    const body = request.body;
    return recharges.open(userId(request), body.amount, body.payment);
  });

  // Server-sent events: a line for each change to one of the user's orders (taken, SMS, ended) on any
  // server process (the order feed), so the page refreshes what changed within moments; `resync` when
  // the bus between processes was down and changes may have been missed.
  app.get('/events', { schema: { summary: 'Server-sent events: a line per change to one of your orders', response: { 200: replies.file('`event: order` with `{"orderId","change"}`, change `created`, `sms` or `ended`; `event: resync` when changes may have been missed', 'text/event-stream') } } }, async (request, reply: FastifyReply) => {
    const { userId: owner } = web.session(request);
    const token = readCookie(request, SESSION_COOKIE);
    // Hijacked: the stream outlives the handler timeout, which is for requests that answer once.
    reply.hijack();
    const stream = reply.raw;
    stream.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    stream.write('retry: 2000\n\n');
    const send = (orderId: string, change: OrderChangeKind) => stream.write(`event: order\ndata: ${JSON.stringify({ orderId, change })}\n\n`);
    const unwatch = feed.watch({
      change: (c) => c.userId === owner && send(c.orderId, c.change),
      missed: () => stream.write('event: resync\ndata: {}\n\n'),
    });
    // A revoked session (signed out elsewhere, new password, disabled) ends its streams at the next ping.
    const ping = setInterval(() => {
      sessions.authenticate(token).then(
        (session) => (session ? stream.write(': ping\n\n') : stream.end()),
        () => stream.end(),
      );
    }, EVENT_PING_MS);
    stream.on('close', () => {
      clearInterval(ping);
      unwatch();
    });
  });
}
