// The admin panel: the same domain calls as the `fastpva admin` commands, for admins only (checked on
// every call). Each change names the admin who made it: the domain writes the audit entry in the
// change's own transaction.
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../../domain/audit.js';
import type { ZodApp } from '../contract.js';
import type { WebContext } from './context.js';
import { byStatus } from './customer.js';
import * as schemas from './schemas.js';

export function adminRoutes(app: ZodApp, web: WebContext): void {
  const { users, catalog, stock, suppliers, gateways, numbers, orders, recharges, inboundSms, blacklist, ledger, audit, reports, store } = web.platform;
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
    await users.adjustBalance(username, request.body.amount, request.body.note ?? 'admin adjustment', actor(request));
    return users.show(username);
  });

  app.put('/admin/users/:username/disabled', { ...admin, schema: { summary: 'Disable or enable a user', params: schemas.usernameParams, body: schemas.disabled } }, async (request) =>
    users.setDisabled(request.params.username, request.body.disabled, actor(request)),
  );

  app.put('/admin/users/:username/limits', { ...admin, schema: { summary: "A user's limits", params: schemas.usernameParams, body: schemas.userLimits } }, async (request) =>
    users.setLimits(request.params.username, request.body, actor(request)),
  );

  app.put('/admin/users/:username/prices/:myPid', { ...admin, schema: { summary: "A user's own price for a project", params: schemas.userPriceParams, body: schemas.userPrice } }, async (request) => {
    const { username, myPid } = request.params;
    await catalog.setUserPrice(username, myPid, request.body.price, actor(request));
    return users.show(username);
  });

  // Projects. A change shows in this process's buy lists at once (the stock table is counted again).

  app.get('/admin/projects', { ...admin, schema: { summary: 'Projects', querystring: schemas.projectsAdminQuery } }, async (request) => catalog.listAll(request.query));

  app.post('/admin/projects', { ...admin, schema: { summary: 'Create a project', body: schemas.newProject } }, async (request) => {
    const body = request.body;
    const project = await catalog.createProject(
      { enname: body.name, channel: body.channel, service: body.service, myPid: body.myPid, price: body.price, countryPrices: body.countryPrices },
      actor(request),
    );
    stock.forget();
    return project;
  });

  app.patch('/admin/projects/:myPid', { ...admin, schema: { summary: 'Change a project', params: schemas.myPidParams, body: schemas.projectChanges } }, async (request) => {
    const body = request.body;
    const changes = { enname: body.name, channel: body.channel, service: body.service, price: body.price, countryPrices: body.countryPrices };
    const project = await catalog.updateProject(request.params.myPid, changes, actor(request));
    stock.forget();
    return project;
  });

  app.put('/admin/projects/:myPid/enabled', { ...admin, schema: { summary: 'Open or close a project', params: schemas.myPidParams, body: schemas.enabled } }, async (request) => {
    const project = await catalog.setProjectEnabled(request.params.myPid, request.body.enabled, actor(request));
    stock.forget();
    return project;
  });

  // Suppliers and their numbers. Keys are shown once, in the answer, and never written to the audit log.

  app.get('/admin/suppliers', { ...admin, schema: { summary: 'Suppliers' } }, async () => ({ suppliers: await suppliers.list() }));

  app.post('/admin/suppliers', { ...admin, schema: { summary: 'Create a supplier (its key shown once)', body: schemas.newSupplier } }, async (request) => {
    const created = await suppliers.create(request.body, actor(request));
    return { supplier: await suppliers.show(created.name), key: created.key };
  });

  app.post('/admin/suppliers/:name/key', { ...admin, schema: { summary: 'A new supplier key (shown once)', params: schemas.supplierParams } }, async (request) => ({
    key: await suppliers.rotateKey(request.params.name, actor(request)),
  }));

  app.put('/admin/suppliers/:name/enabled', { ...admin, schema: { summary: 'Enable or disable a supplier', params: schemas.supplierParams, body: schemas.enabled } }, async (request) =>
    suppliers.setEnabled(request.params.name, request.body.enabled, actor(request)),
  );

  // Money paid to a supplier outside the platform, booked as a ledger transfer.
  app.post(
    '/admin/suppliers/:name/payouts',
    { ...admin, schema: { summary: 'Book a payout to a supplier (a ledger transfer, at most its balance)', params: schemas.supplierParams, body: schemas.payout } },
    async (request) => suppliers.payout(actor(request), { supplier: request.params.name, amount: request.body.amount, note: request.body.note }),
  );

  // A gateway's URL carries its token: answered once, when added or rotated.

  app.get('/admin/suppliers/:name/gateways', { ...admin, schema: { summary: "A supplier's SMS gateways", params: schemas.supplierParams } }, async (request) => ({
    gateways: await gateways.list(request.params.name),
  }));

  app.post('/admin/suppliers/:name/gateways', { ...admin, schema: { summary: 'Attach a gateway (its URL shown once)', params: schemas.supplierParams, body: schemas.newGateway } }, async (request) =>
    gateways.add({ supplier: request.params.name, ...request.body }, actor(request)),
  );

  app.post('/admin/suppliers/:name/gateways/:id/token', { ...admin, schema: { summary: "A new token in a gateway's URL (shown once)", params: schemas.gatewayParams } }, async (request) =>
    gateways.rotate({ supplier: request.params.name, id: request.params.id }, actor(request)),
  );

  app.delete('/admin/suppliers/:name/gateways/:id', { ...admin, schema: { summary: 'Remove a gateway', params: schemas.gatewayParams } }, async (request) =>
    gateways.remove({ supplier: request.params.name, id: request.params.id }, actor(request)),
  );

  app.get('/admin/numbers', { ...admin, schema: { summary: 'Numbers in the pool', querystring: schemas.numbersQuery } }, async (request) => {
    const q = request.query;
    return numbers.list({ ...q, online: q.online === undefined ? undefined : q.online === 'true' });
  });

  // Orders, money, SMS

  app.get('/admin/orders', { ...admin, schema: { summary: "Every user's orders", querystring: schemas.adminOrdersQuery } }, async (request) => {
    const q = request.query;
    return orders.listAll({ page: q.page, limit: q.limit, username: q.user, from: q.from, to: q.to, myPid: q.myPid, number: q.number, after: q.after, ...byStatus(q.status) });
  });

  app.get('/admin/recharges', { ...admin, schema: { summary: 'Recharge orders', querystring: schemas.rechargeQuery } }, async (request) => ({ recharges: await recharges.list(undefined, request.query) }));

  app.post('/admin/recharges/:rechargeId/pay', { ...admin, schema: { summary: 'Mark a recharge order paid', params: schemas.rechargeParams, body: schemas.payment } }, async (request) =>
    recharges.markPaid(request.params.rechargeId, request.body.paid, actor(request)),
  );

  app.get('/admin/sms/unmatched', { ...admin, schema: { summary: 'SMS no order took, with the reason', querystring: schemas.unmatchedQuery } }, async (request) => ({ sms: await inboundSms.unmatched(request.query.limit) }));

  app.get('/admin/blacklist', { ...admin, schema: { summary: 'The blacklist', querystring: schemas.blacklistQuery } }, async (request) => blacklist.list(request.query));

  app.post('/admin/blacklist', { ...admin, schema: { summary: 'Blacklist a number for a project', body: schemas.blacklistEntry } }, async (request) => ({
    added: await blacklist.add(request.body, actor(request)),
  }));

  app.delete('/admin/blacklist/:myPid/:number', { ...admin, schema: { summary: 'Take a number off the blacklist', params: schemas.blacklistParams } }, async (request) => {
    await blacklist.remove(request.params, actor(request));
    return { removed: true };
  });

  app.get('/admin/ledger', { ...admin, schema: { summary: 'Audit the ledger' } }, async () => {
    const result = await ledger.audit(store);
    return { ok: result.ok, total: result.total, accounts: result.accounts.length, mismatched: result.mismatched, holdsResolvedTwice: result.holdsResolvedTwice };
  });

  app.get('/admin/audit', { ...admin, schema: { summary: 'The audit log of admin actions', querystring: schemas.auditQuery } }, async (request) => audit.list(request.query));
}
