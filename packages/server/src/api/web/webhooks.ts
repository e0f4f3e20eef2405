// The customer's webhook in the user center: where sms.received and order.ended events go, the signing
// secret (shown once, when the URL is set), and the log of delivery attempts. The same domain calls as
// the FASTPVA API's /webhook routes.
import type { FastifyInstance } from 'fastify';
import type { WebContext } from './context.js';
import * as schemas from './schemas.js';

export function webhookRoutes(app: FastifyInstance, web: WebContext): void {
  const { webhooks } = web.platform;
  const userId = (request: Parameters<WebContext['session']>[0]) => web.session(request).userId;

  app.get('/webhook', async (request) => ({ webhook: await webhooks.current(userId(request)) }));

  app.put('/webhook', async (request) => webhooks.set(userId(request), schemas.parse(schemas.webhookUrl, request.body).url));

  app.delete('/webhook', async (request) => {
    await webhooks.clear(userId(request));
    return { webhook: null };
  });

  app.get('/webhook/deliveries', async (request) => webhooks.deliveries({ userId: userId(request) }, schemas.parse(schemas.pageQuery, request.query)));
}
