// The admin panel: the same domain calls as the `fastpva admin` commands, for admins only (checked on
// every call), and every change written to the audit log with the state before and after.
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../../domain/audit.js';
import type { WebContext } from './context.js';
import { byStatus } from './customer.js';
import type { ZodApp } from '../contract.js';
import * as schemas from './schemas.js';

export function adminRoutes(app: ZodApp, web: WebContext): void {
  const { users, catalog, stock, suppliers, numbers, orders, recharges, inboundSms, blacklist, ledger, audit, reports, store } = web.platform;
  const admin = { config: { access: 'admin' as const } };
  const actor = (request: FastifyRequest): Actor => {
    const s = web.session(request);
    return { id: s.userId, name: s.username };
  };

  app.get('/admin/overview', { ...admin, schema: { summary: 'Figures and charts' } }, async () => reports.overview());

  // Users

  app.get('/admin/users', { ...admin, schema: { summary: 'Users', querystring: schemas.usersQuery } }, async (request) => users.list(request.query));

  app.get('/admin/users/:username', { ...admin, schema: { summary: 'One user', params: schemas.usernameParams } }, async (request) => users.show(request.params.username));

  app.post('/admin/users/:username/balance', { ...admin, schema: { summary: 'Adjust a balance', params: schemas.usernameParams, body: schemas.adjustment } }, async (request) => {
    const { username } = request.params;
    const body = request.body;
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

  app.put('/admin/users/:username/disabled', { ...admin, schema: { summary: 'Disable or enable a user', params: schemas.usernameParams, body: schemas.disabled } }, async (request) => {
    const { username } = request.params;
    const { disabled } = request.body;
    return audit.record(actor(request), { action: disabled ? 'user.disable' : 'user.enable', target: `user:${username}` }, {
      before: async () => ({ disabled: (await users.show(username)).disabled }),
      change: () => users.setDisabled(username, disabled),
      after: (u) => ({ disabled: u.disabled }),
    });
  });

  app.put('/admin/users/:username/limits', { ...admin, schema: { summary: 'A user\'s limits', params: schemas.usernameParams, body: schemas.userLimits } }, async (request) => {
    const { username } = request.params;
    const limits = request.body;
    return audit.record(actor(request), { action: 'user.limits', target: `user:${username}` }, {
      before: async () => (await users.show(username)).limits,
      change: () => users.setLimits(username, limits),
      after: (u) => u.limits,
    });
  });

  app.put('/admin/users/:username/prices/:myPid', { ...admin, schema: { summary: 'A user\'s own price for a project', params: schemas.userPriceParams, body: schemas.userPrice } }, async (request) => {
    const { username, myPid } = request.params;
    const { price } = request.body;
    const ownPrice = async () => ({ price: (await users.show(username)).prices.find((p) => p.myPid === myPid)?.price ?? null });
    await audit.record(actor(request), { action: 'user.price', target: `user:${username}` }, {
      before: async () => ({ myPid, ...(await ownPrice()) }),
      change: () => catalog.setUserPrice(username, myPid, price),
      after: () => ({ myPid, price }),
    });
    return users.show(username);
  });

  // Projects. A change shows in this process's buy lists at once (the stock table is counted again).

  app.get('/admin/projects', { ...admin, schema: { summary: 'Projects', querystring: schemas.projectsAdminQuery } }, async (request) => catalog.listAll(request.query));

  app.post('/admin/projects', { ...admin, schema: { summary: 'Create a project', body: schemas.newProject } }, async (request) => {
    const body = request.body;
    const project = await audit.record(actor(request), { action: 'project.create', target: (project) => `project:${project.myPid}` }, {
      change: () => catalog.createProject({ enname: body.name, channel: body.channel, service: body.service, myPid: body.myPid, price: body.price, countryPrices: body.countryPrices }),
      after: (project) => project,
    });
    stock.forget();
    return project;
  });

  app.patch('/admin/projects/:myPid', { ...admin, schema: { summary: 'Change a project', params: schemas.myPidParams, body: schemas.projectChanges } }, async (request) => {
    const { myPid } = request.params;
    const body = request.body;
    const project = await audit.record(actor(request), { action: 'project.update', target: `project:${myPid}` }, {
      before: () => catalog.view(myPid),
      change: () => catalog.updateProject(myPid, { enname: body.name, channel: body.channel, service: body.service, price: body.price, countryPrices: body.countryPrices }),
      after: (project) => project,
    });
    stock.forget();
    return project;
  });

  app.put('/admin/projects/:myPid/enabled', { ...admin, schema: { summary: 'Open or close a project', params: schemas.myPidParams, body: schemas.enabled } }, async (request) => {
    const { myPid } = request.params;
    const { enabled } = request.body;
    const project = await audit.record(actor(request), { action: enabled ? 'project.enable' : 'project.disable', target: `project:${myPid}` }, {
      before: async () => ({ enabled: (await catalog.view(myPid)).enabled }),
      change: () => catalog.setProjectEnabled(myPid, enabled),
      after: (project) => ({ enabled: project.enabled }),
    });
    stock.forget();
    return project;
  });

  // Suppliers and their numbers. Keys are shown once, in the answer, and never written to the audit log.

  app.get('/admin/suppliers', { ...admin, schema: { summary: 'Suppliers' } }, async () => ({ suppliers: await suppliers.list() }));

  app.post('/admin/suppliers', { ...admin, schema: { summary: 'Create a supplier (its key shown once)', body: schemas.newSupplier } }, async (request) => {
    const body = request.body;
    const created = await audit.record(actor(request), { action: 'supplier.create', target: `supplier:${body.name.trim()}` }, {
      change: () => suppliers.create(body),
      after: ({ key: _shownOnce, ...supplier }) => supplier,
    });
    return { supplier: await suppliers.show(created.name), key: created.key };
  });

  app.post('/admin/suppliers/:name/key', { ...admin, schema: { summary: 'A new supplier key (shown once)', params: schemas.supplierParams } }, async (request) => {
    const { name } = request.params;
    const keyPrefix = async () => ({ keyPrefix: (await suppliers.show(name)).keyPrefix });
    return { key: await audit.record(actor(request), { action: 'supplier.rotate_key', target: `supplier:${name}` }, { before: keyPrefix, change: () => suppliers.rotateKey(name) }) };
  });

  app.put('/admin/suppliers/:name/enabled', { ...admin, schema: { summary: 'Enable or disable a supplier', params: schemas.supplierParams, body: schemas.enabled } }, async (request) => {
    const { name } = request.params;
    const { enabled } = request.body;
    return audit.record(actor(request), { action: enabled ? 'supplier.enable' : 'supplier.disable', target: `supplier:${name}` }, {
      before: async () => ({ enabled: (await suppliers.show(name)).enabled }),
      change: () => suppliers.setEnabled(name, enabled),
      after: (supplier) => ({ enabled: supplier.enabled }),
    });
  });

  // Money paid to a supplier outside the platform; the domain records it in the audit log.
  app.post(
    '/admin/suppliers/:name/payouts',
    { ...admin, schema: { summary: 'Book a payout to a supplier (a ledger transfer, at most its balance)', params: schemas.supplierParams, body: schemas.payout } },
    async (request) => suppliers.payout(actor(request), { supplier: request.params.name, amount: request.body.amount, note: request.body.note }),
  );

  app.get('/admin/numbers', { ...admin, schema: { summary: 'Numbers in the pool', querystring: schemas.numbersQuery } }, async (request) => {
    const q = request.query;
    return numbers.list({ ...q, online: q.online === undefined ? undefined : q.online === 'true' });
  });

  // Orders, money, SMS

  app.get('/admin/orders', { ...admin, schema: { summary: 'Every user\'s orders', querystring: schemas.adminOrdersQuery } }, async (request) => {
    const q = request.query;
    return orders.listAll({ page: q.page, limit: q.limit, username: q.user, from: q.from, to: q.to, myPid: q.myPid, number: q.number, ...byStatus(q.status) });
  });

  app.get('/admin/recharges', { ...admin, schema: { summary: 'Recharge orders', querystring: schemas.rechargeQuery } }, async (request) => ({ recharges: await recharges.list(undefined, request.query) }));

  app.post('/admin/recharges/:rechargeId/pay', { ...admin, schema: { summary: 'Mark a recharge order paid', params: schemas.rechargeParams, body: schemas.payment } }, async (request) => {
    const { rechargeId } = request.params;
    const { paid } = request.body;
    return audit.record(actor(request), { action: 'recharge.pay', target: `recharge:${rechargeId}` }, {
      before: async () => (await recharges.list(undefined, { rechargeId, page: 1, limit: 1 }))[0] ?? null,
      change: () => recharges.markPaid(rechargeId, paid),
      after: (recharge) => recharge,
    });
  });

  app.get('/admin/sms/unmatched', { ...admin, schema: { summary: 'SMS no order took, with the reason', querystring: schemas.unmatchedQuery } }, async (request) => ({ sms: await inboundSms.unmatched(request.query.limit) }));

  app.get('/admin/blacklist', { ...admin, schema: { summary: 'The blacklist', querystring: schemas.blacklistQuery } }, async (request) => blacklist.list(request.query));

  app.post('/admin/blacklist', { ...admin, schema: { summary: 'Blacklist a number for a project', body: schemas.blacklistEntry } }, async (request) => {
    const entry = request.body;
    const added = await audit.record(actor(request), { action: 'blacklist.add', target: `blacklist:${entry.myPid}:${entry.number}` }, {
      change: () => blacklist.add(entry),
      after: () => entry,
    });
    return { added };
  });

  app.delete('/admin/blacklist/:myPid/:number', { ...admin, schema: { summary: 'Take a number off the blacklist', params: schemas.blacklistParams } }, async (request) => {
    const entry = request.params;
    await audit.record(actor(request), { action: 'blacklist.remove', target: `blacklist:${entry.myPid}:${entry.number}` }, {
      before: async () => entry,
      change: () => blacklist.remove(entry),
      after: () => null,
    });
    return { removed: true };
  });

  app.get('/admin/ledger', { ...admin, schema: { summary: 'Audit the ledger' } }, async () => {
    const result = await ledger.audit(store);
    return { ok: result.ok, total: result.total, accounts: result.accounts.length, mismatched: result.mismatched, holdsResolvedTwice: result.holdsResolvedTwice };
  });

  app.get('/admin/audit', { ...admin, schema: { summary: 'The audit log of admin actions', querystring: schemas.auditQuery } }, async (request) => audit.list(request.query));
}
