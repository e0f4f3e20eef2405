// The admin panel: the same domain calls as the `fastpva admin` commands, for admins only (checked on
// every call), and every change written to the audit log with the state before and after.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../../domain/audit.js';
import type { WebContext } from './context.js';
import { byStatus } from './customer.js';
import * as schemas from './schemas.js';
import { parse } from './schemas.js';

export function adminRoutes(app: FastifyInstance, web: WebContext): void {
  const { users, catalog, stock, suppliers, numbers, orders, recharges, inboundSms, blacklist, ledger, audit, reports, store } = web.platform;
  const admin = { config: { access: 'admin' as const } };
  const actor = (request: FastifyRequest): Actor => {
    const s = web.session(request);
    return { id: s.userId, name: s.username };
  };

  app.get('/admin/overview', admin, async () => reports.overview());

  // Users

  app.get('/admin/users', admin, async (request) => users.list(parse(schemas.usersQuery, request.query)));

  app.get('/admin/users/:username', admin, async (request) => users.show(parse(schemas.usernameParams, request.params).username));

  app.post('/admin/users/:username/balance', admin, async (request) => {
    const { username } = parse(schemas.usernameParams, request.params);
    const body = parse(schemas.adjustment, request.body);
    const note = body.note ?? 'admin adjustment';
    const money = async () => {
      const u = await users.show(username);
      return { balance: u.balance, held: u.held };
    };
    await audit.record(actor(request), { action: 'user.adjust_balance', target: `user:${username}` }, {
      before: money,
      change: () => users.adjustBalance(username, body.amount, note),
      after: async () => ({ ...(await money()), amount: body.amount, note }),
    });
    return users.show(username);
  });

  app.put('/admin/users/:username/disabled', admin, async (request) => {
    const { username } = parse(schemas.usernameParams, request.params);
    const { disabled } = parse(schemas.disabled, request.body);
    return audit.record(actor(request), { action: disabled ? 'user.disable' : 'user.enable', target: `user:${username}` }, {
      before: async () => ({ disabled: (await users.show(username)).disabled }),
      change: () => users.setDisabled(username, disabled),
      after: (u) => ({ disabled: u.disabled }),
    });
  });

  app.put('/admin/users/:username/limits', admin, async (request) => {
    const { username } = parse(schemas.usernameParams, request.params);
    const limits = parse(schemas.userLimits, request.body);
    return audit.record(actor(request), { action: 'user.limits', target: `user:${username}` }, {
      before: async () => (await users.show(username)).limits,
      change: () => users.setLimits(username, limits),
      after: (u) => u.limits,
    });
  });

  app.put('/admin/users/:username/prices/:myPid', admin, async (request) => {
    const { username, myPid } = parse(schemas.userPriceParams, request.params);
    const { price } = parse(schemas.userPrice, request.body);
    const ownPrice = async () => ({ price: (await users.show(username)).prices.find((p) => p.myPid === myPid)?.price ?? null });
    await audit.record(actor(request), { action: 'user.price', target: `user:${username}` }, {
      before: async () => ({ myPid, ...(await ownPrice()) }),
      change: () => catalog.setUserPrice(username, myPid, price),
      after: () => ({ myPid, price }),
    });
    return users.show(username);
  });

  // Projects. A change shows in this process's buy lists at once (the stock table is counted again).

  app.get('/admin/projects', admin, async (request) => catalog.listAll(parse(schemas.projectsAdminQuery, request.query)));

  app.post('/admin/projects', admin, async (request) => {
    const body = parse(schemas.newProject, request.body);
    const project = await audit.record(actor(request), { action: 'project.create', target: (project) => `project:${project.myPid}` }, {
      change: () => catalog.createProject({ enname: body.name, channel: body.channel, service: body.service, myPid: body.myPid, price: body.price, countryPrices: body.countryPrices }),
      after: (project) => project,
    });
    stock.forget();
    return project;
  });

  app.patch('/admin/projects/:myPid', admin, async (request) => {
    const { myPid } = parse(schemas.myPidParams, request.params);
    const body = parse(schemas.projectChanges, request.body);
    const project = await audit.record(actor(request), { action: 'project.update', target: `project:${myPid}` }, {
      before: () => catalog.view(myPid),
      change: () => catalog.updateProject(myPid, { enname: body.name, channel: body.channel, service: body.service, price: body.price, countryPrices: body.countryPrices }),
      after: (project) => project,
    });
    stock.forget();
    return project;
  });

  app.put('/admin/projects/:myPid/enabled', admin, async (request) => {
    const { myPid } = parse(schemas.myPidParams, request.params);
    const { enabled } = parse(schemas.enabled, request.body);
    const project = await audit.record(actor(request), { action: enabled ? 'project.enable' : 'project.disable', target: `project:${myPid}` }, {
      before: async () => ({ enabled: (await catalog.view(myPid)).enabled }),
      change: () => catalog.setProjectEnabled(myPid, enabled),
      after: (project) => ({ enabled: project.enabled }),
    });
    stock.forget();
    return project;
  });

  // Suppliers and their numbers. Keys are shown once, in the answer, and never written to the audit log.

  app.get('/admin/suppliers', admin, async () => ({ suppliers: await suppliers.list() }));

  app.post('/admin/suppliers', admin, async (request) => {
    const body = parse(schemas.newSupplier, request.body);
    const created = await audit.record(actor(request), { action: 'supplier.create', target: `supplier:${body.name.trim()}` }, {
      change: () => suppliers.create(body),
      after: ({ key: _shownOnce, ...supplier }) => supplier,
    });
    return { supplier: await suppliers.show(created.name), key: created.key };
  });

  app.post('/admin/suppliers/:name/key', admin, async (request) => {
    const { name } = parse(schemas.supplierParams, request.params);
    const keyPrefix = async () => ({ keyPrefix: (await suppliers.show(name)).keyPrefix });
    return { key: await audit.record(actor(request), { action: 'supplier.rotate_key', target: `supplier:${name}` }, { before: keyPrefix, change: () => suppliers.rotateKey(name) }) };
  });

  app.put('/admin/suppliers/:name/enabled', admin, async (request) => {
    const { name } = parse(schemas.supplierParams, request.params);
    const { enabled } = parse(schemas.enabled, request.body);
    return audit.record(actor(request), { action: enabled ? 'supplier.enable' : 'supplier.disable', target: `supplier:${name}` }, {
      before: async () => ({ enabled: (await suppliers.show(name)).enabled }),
      change: () => suppliers.setEnabled(name, enabled),
      after: (supplier) => ({ enabled: supplier.enabled }),
    });
  });

  // Money paid to a supplier outside the platform; the domain records it in the audit log.
  app.post('/admin/suppliers/:name/payouts', admin, async (request) => {
    const { name } = parse(schemas.supplierParams, request.params);
    const body = parse(schemas.payout, request.body);
    return suppliers.payout(actor(request), { supplier: name, amount: body.amount, note: body.note });
  });

  app.get('/admin/numbers', admin, async (request) => {
    const q = parse(schemas.numbersQuery, request.query);
    return numbers.list({ ...q, online: q.online === undefined ? undefined : q.online === 'true' });
  });

  // Orders, money, SMS

  app.get('/admin/orders', admin, async (request) => {
    const q = parse(schemas.adminOrdersQuery, request.query);
    return orders.listAll({ page: q.page, limit: q.limit, username: q.user, from: q.from, to: q.to, myPid: q.myPid, number: q.number, ...byStatus(q.status) });
  });

  app.get('/admin/recharges', admin, async (request) => ({ recharges: await recharges.list(undefined, parse(schemas.rechargeQuery, request.query)) }));

  app.post('/admin/recharges/:rechargeId/pay', admin, async (request) => {
    const { rechargeId } = parse(schemas.rechargeParams, request.params);
    const { paid } = parse(schemas.payment, request.body);
    return audit.record(actor(request), { action: 'recharge.pay', target: `recharge:${rechargeId}` }, {
      before: async () => (await recharges.list(undefined, { rechargeId, page: 1, limit: 1 }))[0] ?? null,
      change: () => recharges.markPaid(rechargeId, paid),
      after: (recharge) => recharge,
    });
  });

  app.get('/admin/sms/unmatched', admin, async (request) => ({ sms: await inboundSms.unmatched(parse(schemas.unmatchedQuery, request.query).limit) }));

  app.get('/admin/blacklist', admin, async (request) => blacklist.list(parse(schemas.blacklistQuery, request.query)));

  app.post('/admin/blacklist', admin, async (request) => {
    const entry = parse(schemas.blacklistEntry, request.body);
    const added = await audit.record(actor(request), { action: 'blacklist.add', target: `blacklist:${entry.myPid}:${entry.number}` }, {
      change: () => blacklist.add(entry),
      after: () => entry,
    });
    return { added };
  });

  app.delete('/admin/blacklist/:myPid/:number', admin, async (request) => {
    const entry = parse(schemas.blacklistEntry.pick({ myPid: true, number: true }).extend({ myPid: schemas.myPidParams.shape.myPid }), request.params);
    await audit.record(actor(request), { action: 'blacklist.remove', target: `blacklist:${entry.myPid}:${entry.number}` }, {
      before: async () => entry,
      change: () => blacklist.remove(entry),
      after: () => null,
    });
    return { removed: true };
  });

  app.get('/admin/ledger', admin, async () => {
    const result = await ledger.audit(store);
    return { ok: result.ok, total: result.total, accounts: result.accounts.length, mismatched: result.mismatched, holdsResolvedTwice: result.holdsResolvedTwice };
  });

  app.get('/admin/audit', admin, async (request) => audit.list(parse(schemas.auditQuery, request.query)));
}
