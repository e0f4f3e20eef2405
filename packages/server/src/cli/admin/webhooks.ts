// `fastpva admin webhook ...`: what the webhook deliveries did.
import { option, PAGING, text } from '../args.js';
import { adminCommand } from '../database.js';
import { iso, paged, table } from '../output.js';

const deliveries = adminCommand({
  name: 'admin webhook deliveries',
  summary: 'webhook delivery attempts, newest first: event, HTTP status, time taken, error',
  details: 'STATUS is the receiver\'s HTTP status (2xx: delivered), or "-" when no answer came and ERROR says why.',
  flags: { username: option('U', "only this user's deliveries", text), ...PAGING },
  async run(p, o) {
    const result = await p.webhooks.deliveries({ username: o.username }, { page: o.page, limit: o.limit });
    const rows = table(
      ['WHEN', 'USER', 'EVENT', 'TYPE', 'ATTEMPT', 'STATUS', 'MS', 'URL', 'ERROR'],
      result.deliveries.map((d) => [iso(d.createdAt), d.username, d.eventId, d.type, d.attempt, d.statusCode ?? '-', d.durationMs, d.url, d.error ?? '-']),
    );
    return { json: result, text: paged(rows, result.count, o, 'deliveries') };
  },
});

export const WEBHOOK_COMMANDS = [deliveries];
