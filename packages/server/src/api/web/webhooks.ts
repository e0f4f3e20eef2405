// The customer's webhook in the user center: where sms.received and order.ended events go, the signing
// secret (shown once, when the URL is set), and the log of delivery attempts. The same domain calls as
// the FASTPVA API's /webhook routes.
import type { ZodApp } from '../contract.js';
import type { WebContext } from './context.js';
import * as schemas from './schemas.js';

export function webhookRoutes(app: ZodApp, web: WebContext): void {
  const { webhooks } = web.platform;
  const userId = (request: Parameters<WebContext['session']>[0]) => web.session(request).userId;

  app.get('/webhook', { schema: { summary: 'Your webhook, or null' } }, async (request) => ({ webhook: await webhooks.current(userId(request)) }));

  app.put('/webhook', { schema: { summary: 'Point your webhook at a URL (the signing secret shown once)', body: schemas.webhookUrl } }, async (request) =>
    webhooks.set(userId(request), request.body.url),
  );

  app.delete('/webhook', { schema: { summary: 'Remove your webhook' } }, async (request) => {
    await webhooks.clear(userId(request));
    return { webhook: null };
  });

  app.get('/webhook/deliveries', { schema: { summary: 'Delivery attempts of your webhook events, newest first', querystring: schemas.pageQuery } }, async (request) =>
    webhooks.deliveries({ userId: userId(request) }, request.query),
  );
}
