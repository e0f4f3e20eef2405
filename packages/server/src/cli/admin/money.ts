// `fastpva admin recharge|sms|ledger ...`: money coming in, SMS nobody paid for, and the books.
import { z } from 'zod';
import { cents, option, PAGING, required, text } from '../args.js';
import { adminCommand } from '../database.js';
import { iso, table } from '../output.js';
import { wholeNumber } from '../../config.js';

const rechargeList = adminCommand({
  name: 'admin recharge list',
  summary: 'recharge orders, newest first',
  flags: {
    status: option('S', 'unpaid, paid, expired or all', z.enum(['unpaid', 'paid', 'expired', 'all'], { error: 'one of unpaid, paid, expired, all' }), 'unpaid' as const),
    ...PAGING,
  },
  async run(p, o) {
    const rows = await p.recharges.list(undefined, { page: o.page, limit: o.limit, status: o.status === 'all' ? undefined : o.status });
    return {
      json: rows,
      text: rows.length ? table(['RECHARGE', 'STATUS', 'AMOUNT', 'PAYMENT', 'CREATED'], rows.map((r) => [r.rechargeId, r.status, r.amount, r.payment, iso(r.createdAt)])) : 'No recharge orders',
    };
  },
});

const rechargePay = adminCommand({
  name: 'admin recharge pay',
  summary: "mark a recharge order paid: its amount is credited to the user once",
  flags: { id: required('RECHARGE_ID', 'the recharge order id', text), paid: option('CENTS', 'what was actually paid, if it differs', cents) },
  async run(p, o, by) {
    const recharge = await p.recharges.markPaid(o.id, o.paid, by);
    return { json: recharge, text: `Recharge ${recharge.rechargeId} paid: ${recharge.amount} cents credited` };
  },
});

const smsUnmatched = adminCommand({
  name: 'admin sms unmatched',
  summary: 'SMS no order took, never charged, newest first, each with why',
  details: 'Reasons: no_live_order (late, or no order on the number), other_service (names another service than its order\'s), no_code (no code and no mention of the order\'s service: carrier notices, spam).',
  flags: { limit: option('N', 'how many', wholeNumber(1, 500), 50) },
  async run(p, o) {
    const rows = await p.inboundSms.unmatched(o.limit);
    return {
      json: rows,
      text:
        rows
          .map((r) => `${iso(r.receivedAt)}  ${r.receiver}  ${r.reason}${r.candidateOrderId ? ` (order ${r.candidateOrderId})` : ''}  from ${r.sender || '?'}  ${JSON.stringify(r.text)}`)
          .join('\n') || 'No unmatched SMS',
    };
  },
});

const ledgerAudit = adminCommand({
  name: 'admin ledger audit',
  summary: 're-derive every balance from the transfers and check that money sums to zero (exit 1 if not)',
  flags: {},
  async run(p) {
    const audit = await p.ledger.audit(p.store);
    return {
      json: { ok: audit.ok, total: audit.total, accounts: audit.accounts.length, mismatched: audit.mismatched, holdsResolvedTwice: audit.holdsResolvedTwice },
      text: audit.ok
        ? `Ledger consistent: ${audit.accounts.length} accounts, every balance matches its transfers, money sums to zero`
        : `LEDGER INCONSISTENT: ${JSON.stringify(audit.mismatched)} total=${audit.total}`,
      ...(audit.ok ? {} : { exitCode: 1 }),
    };
  },
});

export const MONEY_COMMANDS = [rechargeList, rechargePay, smsUnmatched, ledgerAudit];
