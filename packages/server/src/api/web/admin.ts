// The admin panel: the same domain calls as the `fastpva admin` commands, for admins only (checked on
// every call). Each change names the admin who made it: the domain writes the audit entry in the
// change's own transaction.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../../domain/audit.js';
import type { WebContext } from './context.js';
import { byStatus } from './customer.js';
import * as schemas from './schemas.js';
import { parse } from './schemas.js';

export function adminRoutes(app: FastifyInstance, web: WebContext): void {
  const { users, catalog, stock, suppliers, gateways, numbers, orders, recharges, inboundSms, blacklist, ledger, audit, reports, store } = web.platform;
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
    await users.adjustBalance(username, body.amount, body.note ?? 'admin adjustment', actor(request));
    return users.show(username);
  });

  app.put('/admin/users/:username/disabled', admin, async (request) => {
    const { username } = parse(schemas.usernameParams, request.params);
    return users.setDisabled(username, parse(schemas.disabled, request.body).disabled, actor(request));
  });

  app.put('/admin/users/:username/limits', admin, async (request) => {
    const { username } = parse(schemas.usernameParams, request.params);
    return users.setLimits(username, parse(schemas.userLimits, request.body), actor(request));
  });

  app.put('/admin/users/:username/prices/:myPid', admin, async (request) => {
    const { username, myPid } = parse(schemas.userPriceParams, request.params);
    await catalog.setUserPrice(username, myPid, parse(schemas.userPrice, request.body).price, actor(request));
    return users.show(username);
  });

  // Projects. A change shows in this process's buy lists at once (the stock table is counted again).

  app.get('/admin/projects', admin, async (request) => catalog.listAll(parse(schemas.projectsAdminQuery, request.query)));

  app.post('/admin/projects', admin, async (request) => {
    const body = parse(schemas.newProject, request.body);
    const project = await catalog.createProject(
      { enname: body.name, channel: body.channel, service: body.service, myPid: body.myPid, price: body.price, countryPrices: body.countryPrices },
      actor(request),
    );
    stock.forget();
    return project;
  });

  app.patch('/admin/projects/:myPid', admin, async (request) => {
    const { myPid } = parse(schemas.myPidParams, request.params);
    const body = parse(schemas.projectChanges, request.body);
    const project = await catalog.updateProject(myPid, { enname: body.name, channel: body.channel, service: body.service, price: body.price, countryPrices: body.countryPrices }, actor(request));
    stock.forget();
    return project;
  });

  app.put('/admin/projects/:myPid/enabled', admin, async (request) => {
    const { myPid } = parse(schemas.myPidParams, request.params);
    const project = await catalog.setProjectEnabled(myPid, parse(schemas.enabled, request.body).enabled, actor(request));
    stock.forget();
    return project;
  });

  // Suppliers and their numbers. Keys are shown once, in the answer, and never written to the audit log.

  app.get('/admin/suppliers', admin, async () => ({ suppliers: await suppliers.list() }));

  app.post('/admin/suppliers', admin, async (request) => {
    const created = await suppliers.create(parse(schemas.newSupplier, request.body), actor(request));
    return { supplier: await suppliers.show(created.name), key: created.key };
  });

  app.post('/admin/suppliers/:name/key', admin, async (request) => {
    const { name } = parse(schemas.supplierParams, request.params);
    return { key: await suppliers.rotateKey(name, actor(request)) };
  });

  app.put('/admin/suppliers/:name/enabled', admin, async (request) => {
    const { name } = parse(schemas.supplierParams, request.params);
    return suppliers.setEnabled(name, parse(schemas.enabled, request.body).enabled, actor(request));
  });

  // A gateway's URL carries its token: answered once, when added or rotated.

  app.get('/admin/suppliers/:name/gateways', admin, async (request) => ({ gateways: await gateways.list(parse(schemas.supplierParams, request.params).name) }));

  app.post('/admin/suppliers/:name/gateways', admin, async (request) => {
    const { name } = parse(schemas.supplierParams, request.params);
    return gateways.add({ supplier: name, ...parse(schemas.newGateway, request.body) }, actor(request));
  });

  app.post('/admin/suppliers/:name/gateways/:id/token', admin, async (request) => {
    const { name, id } = parse(schemas.gatewayParams, request.params);
    return gateways.rotate({ supplier: name, id }, actor(request));
  });

  app.delete('/admin/suppliers/:name/gateways/:id', admin, async (request) => {
    const { name, id } = parse(schemas.gatewayParams, request.params);
    return gateways.remove({ supplier: name, id }, actor(request));
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
    return recharges.markPaid(rechargeId, parse(schemas.payment, request.body).paid, actor(request));
  });

  app.get('/admin/sms/unmatched', admin, async (request) => ({ sms: await inboundSms.unmatched(parse(schemas.unmatchedQuery, request.query).limit) }));

  app.get('/admin/blacklist', admin, async (request) => blacklist.list(parse(schemas.blacklistQuery, request.query)));

  app.post('/admin/blacklist', admin, async (request) => {
    const entry = parse(schemas.blacklistEntry, request.body);
    return { added: await blacklist.add(entry, actor(request)) };
  });

  app.delete('/admin/blacklist/:myPid/:number', admin, async (request) => {
    const entry = parse(schemas.blacklistEntry.pick({ myPid: true, number: true }).extend({ myPid: schemas.myPidParams.shape.myPid }), request.params);
    await blacklist.remove(entry, actor(request));
    return { removed: true };
  });

  app.get('/admin/ledger', admin, async () => {
    const result = await ledger.audit(store);
    return { ok: result.ok, total: result.total, accounts: result.accounts.length, mismatched: result.mismatched, holdsResolvedTwice: result.holdsResolvedTwice };
  });

  app.get('/admin/audit', admin, async (request) => audit.list(parse(schemas.auditQuery, request.query)));
}
