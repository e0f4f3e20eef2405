// The operator's commands, `fastpva admin <noun> <verb>`: each is one domain call, the same the web
// admin panel makes.
import { GATEWAY_COMMANDS } from './gateways.js';
import { BLACKLIST_COMMANDS, NUMBER_COMMANDS } from './numbers.js';
import { MONEY_COMMANDS } from './money.js';
import { NAME_COMMANDS } from './names.js';
import { ORDER_COMMANDS } from './orders.js';
import { PROJECT_COMMANDS } from './projects.js';
import { SUPPLIER_COMMANDS } from './suppliers.js';
import { USER_COMMANDS } from './users.js';
import { WEBHOOK_COMMANDS } from './webhooks.js';

export const ADMIN_COMMANDS = [
  ...USER_COMMANDS,
  ...PROJECT_COMMANDS,
  ...SUPPLIER_COMMANDS,
  ...GATEWAY_COMMANDS,
  ...NUMBER_COMMANDS,
  ...BLACKLIST_COMMANDS,
  ...ORDER_COMMANDS,
  ...MONEY_COMMANDS,
  ...NAME_COMMANDS,
  ...WEBHOOK_COMMANDS,
];

/** What each group of commands is about, for the help. */
export const ADMIN_GROUPS: Record<string, string> = {
  admin: "The operator's commands, on an existing database",
  'admin user': 'Customers and admins',
  'admin project': 'The catalogue of projects and prices',
  'admin supplier': 'Suppliers, their channels, share, keys and payouts',
  'admin supplier gateway': 'SMS gateways posting to /ingest/<kind>/<token>',
  'admin supplier goip': 'GoIP lines reporting to the GOIP_UDP_PORT listener',
  'admin number': 'The number pool',
  'admin blacklist': 'Numbers out of a project for everyone',
  'admin order': 'Orders and their SMS',
  'admin recharge': 'Recharge orders',
  'admin sms': 'SMS no order took',
  'admin ledger': 'The books',
  'admin service': 'Services, and how SMS-Activate and 5SIM name them',
  'admin country': 'Countries, and how SMS-Activate and 5SIM name them',
  'admin webhook': "Users' webhook deliveries",
};
