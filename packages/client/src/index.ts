export { FastpvaClient, FastpvaError, MAX_WAIT_SECONDS, type ClientOptions, type OrderFilter, type Paging } from './client.js';
export { parseWebhook, SIGNATURE_HEADER, verifyWebhook, type VerifyOptions } from './webhooks.js';
export type * from './types.js';
