/**
 * Known services: one list for the code extractor (shapes, brand words) and for deciding whether an
 * SMS belongs to an order (brands in the text and the sender id). Plain data, meant to seed an
 * admin-editable table.
 *
 * Sources: the SMS-Activate service codes (reference sms-activate.md §7, [LCZ] services.json) and the
 * 5SIM product names (fivesim-v1.md, where it lists one; otherwise the lowercase name).
 */

export interface KnownService {
  /** Canonical id, lowercase. */
  readonly id: string;
  /** Display name. */
  readonly name: string;
  /** Catalogue names and abbreviations that mean this service (compared lowercase, letters and digits only). */
  readonly aliases: readonly string[];
  /** How the brand is written in SMS text and sender ids; matched case-insensitively on word boundaries. */
  readonly brands: readonly string[];
  /**
   * Brand spellings that are also ordinary words or letters ("X", "LINE", "Signal", "OK"): matched with
   * this exact case, and only as the sender id or where a brand stands (a label at the start,
   * "[Brand]", "Brand code"). A spelling listed under several services ("Meta") names the family.
   */
  readonly ambiguousBrands?: readonly string[];
  /** The usual shape of the normalised code, as a regular-expression source. */
  readonly shape?: string;
  /** SMS-Activate service code. */
  readonly smsActivate?: string;
  /** 5SIM product name. */
  readonly fivesim: string;
}

export const KNOWN_SERVICES: readonly KnownService[] = [
  // Google login codes are 6 digits, usually "G-123456".
  { id: 'google', name: 'Google', aliases: ['gmail', 'youtube', 'googlevoice', 'gv', 'googleyoutubegmail'], brands: ['google', 'gmail', 'youtube', 'google voice'], shape: '^\\d{6}$', smsActivate: 'go', fivesim: 'google' },
  // Telegram login codes are 5 digits.
  { id: 'telegram', name: 'Telegram', aliases: ['tg'], brands: ['telegram'], shape: '^\\d{5}$', smsActivate: 'tg', fivesim: 'telegram' },
  // WhatsApp (and WhatsApp Business): 6 digits, usually written 3-3.
  { id: 'whatsapp', name: 'WhatsApp', aliases: ['whatsappbusiness', 'wa', 'wabusiness', 'wabiz'], brands: ['whatsapp', 'whats app', 'whatsapp business'], ambiguousBrands: ['Meta'], shape: '^\\d{6}$', smsActivate: 'wa', fivesim: 'whatsapp' },
  { id: 'instagram', name: 'Instagram', aliases: ['ig', 'insta'], brands: ['instagram'], ambiguousBrands: ['Meta'], shape: '^\\d{6}$', smsActivate: 'ig', fivesim: 'instagram' },
  // Facebook: FB-12345 and 6/8-digit variants.
  { id: 'facebook', name: 'Facebook', aliases: ['fb', 'messenger', 'facebookmessenger'], brands: ['facebook', 'fb.com'], ambiguousBrands: ['FB', 'Meta', 'Messenger'], shape: '^\\d{5,8}$', smsActivate: 'fb', fivesim: 'facebook' },
  { id: 'twitter', name: 'Twitter', aliases: ['x', 'xcom', 'twitterx'], brands: ['twitter', 'x.com'], ambiguousBrands: ['X'], shape: '^\\d{6,8}$', smsActivate: 'tw', fivesim: 'twitter' },
  // The catch-all project: it names no brand, so a known service's SMS is never its own.
  { id: 'other', name: 'Any other', aliases: ['anyother'], brands: [], smsActivate: 'ot', fivesim: 'other' },
  { id: 'vk', name: 'VK', aliases: ['vkontakte', 'вконтакте', 'vkcom'], brands: ['vkontakte', 'вконтакте', 'vk.com'], ambiguousBrands: ['VK'], shape: '^\\d{5,6}$', smsActivate: 'vk', fivesim: 'vkontakte' },
  { id: 'ok', name: 'Odnoklassniki', aliases: ['okru', 'одноклассники'], brands: ['odnoklassniki', 'одноклассники', 'ok.ru'], ambiguousBrands: ['OK'], smsActivate: 'ok', fivesim: 'odnoklassniki' },
  { id: 'viber', name: 'Viber', aliases: [], brands: ['viber'], smsActivate: 'vi', fivesim: 'viber' },
  { id: 'wechat', name: 'WeChat', aliases: ['weixin', '微信'], brands: ['wechat', 'weixin', '微信'], smsActivate: 'wb', fivesim: 'wechat' },
  { id: 'discord', name: 'Discord', aliases: [], brands: ['discord'], shape: '^\\d{6}$', smsActivate: 'ds', fivesim: 'discord' },
  { id: 'amazon', name: 'Amazon', aliases: ['aws'], brands: ['amazon'], shape: '^\\d{6}$', smsActivate: 'am', fivesim: 'amazon' },
  { id: 'openai', name: 'OpenAI', aliases: ['chatgpt'], brands: ['openai', 'chatgpt'], smsActivate: 'dr', fivesim: 'openai' },
  { id: 'tiktok', name: 'TikTok', aliases: ['douyin', 'tiktokdouyin'], brands: ['tiktok', 'tik tok', 'douyin', '抖音'], shape: '^\\d{6}$', smsActivate: 'lf', fivesim: 'tiktok' },
  { id: 'snapchat', name: 'Snapchat', aliases: ['snap'], brands: ['snapchat'], ambiguousBrands: ['Snap'], shape: '^\\d{6}$', smsActivate: 'fu', fivesim: 'snapchat' },
  // Microsoft has sent 4-digit access codes and 6/7-digit security codes.
  { id: 'microsoft', name: 'Microsoft', aliases: ['outlook', 'hotmail', 'skype', 'xbox', 'live'], brands: ['microsoft', 'hotmail', 'skype', 'xbox'], ambiguousBrands: ['Outlook'], shape: '^\\d{4,8}$', smsActivate: 'mm', fivesim: 'microsoft' },
  { id: 'yahoo', name: 'Yahoo', aliases: [], brands: ['yahoo'], smsActivate: 'mb', fivesim: 'yahoo' },
  { id: 'yandex', name: 'Yandex', aliases: ['яндекс'], brands: ['yandex', 'яндекс'], shape: '^\\d{6}$', smsActivate: 'ya', fivesim: 'yandex' },
  { id: 'mailru', name: 'Mail.ru', aliases: ['mail', 'mailrugroup'], brands: ['mail.ru'], smsActivate: 'ma', fivesim: 'mailru' },
  { id: 'steam', name: 'Steam', aliases: [], brands: ['steampowered', 'steam guard'], ambiguousBrands: ['Steam'], smsActivate: 'mt', fivesim: 'steam' },
  { id: 'tinder', name: 'Tinder', aliases: [], brands: ['tinder'], smsActivate: 'oi', fivesim: 'tinder' },
  { id: 'kakaotalk', name: 'KakaoTalk', aliases: ['kakao'], brands: ['kakaotalk', '카카오'], ambiguousBrands: ['Kakao'], smsActivate: 'kt', fivesim: 'kakaotalk' },
  { id: 'aol', name: 'AOL', aliases: [], brands: ['aol'], smsActivate: 'pm', fivesim: 'aol' },
  { id: 'linkedin', name: 'LinkedIn', aliases: [], brands: ['linkedin'], shape: '^\\d{6}$', smsActivate: 'tn', fivesim: 'linkedin' },
  { id: 'qq', name: 'Tencent QQ', aliases: ['tencentqq', 'tencent'], brands: ['tencent', '腾讯'], ambiguousBrands: ['QQ'], smsActivate: 'qq', fivesim: 'tencentqq' },
  { id: 'netflix', name: 'Netflix', aliases: [], brands: ['netflix'], smsActivate: 'nf', fivesim: 'netflix' },
  { id: 'airbnb', name: 'Airbnb', aliases: [], brands: ['airbnb'], smsActivate: 'uk', fivesim: 'airbnb' },
  { id: 'line', name: 'LINE', aliases: ['linemessenger'], brands: ['line messenger'], ambiguousBrands: ['LINE'], smsActivate: 'me', fivesim: 'line' },
  // Uber sends 4-digit codes.
  { id: 'uber', name: 'Uber', aliases: ['ubereats'], brands: ['uber', 'uber eats'], shape: '^\\d{4}$', smsActivate: 'ub', fivesim: 'uber' },
  { id: 'gett', name: 'Gett', aliases: [], brands: ['gett'], smsActivate: 'gt', fivesim: 'gett' },
  { id: 'olx', name: 'OLX', aliases: [], brands: ['olx'], smsActivate: 'sn', fivesim: 'olx' },
  { id: 'shopee', name: 'Shopee', aliases: [], brands: ['shopee', '蝦皮'], smsActivate: 'ka', fivesim: 'shopee' },
  { id: 'gojek', name: 'Gojek', aliases: [], brands: ['gojek', 'go-jek'], smsActivate: 'ni', fivesim: 'gojek' },
  { id: 'alibaba', name: 'Alibaba', aliases: ['alipay', 'alipayalibaba', 'taobao'], brands: ['alipay', 'alibaba', 'taobao', '支付宝', '阿里巴巴', '淘宝'], smsActivate: 'hw', fivesim: 'alibaba' },
  { id: 'aliexpress', name: 'AliExpress', aliases: [], brands: ['aliexpress'], smsActivate: 'hx', fivesim: 'aliexpress' },
  { id: 'paypal', name: 'PayPal', aliases: [], brands: ['paypal'], shape: '^\\d{6}$', smsActivate: 'ts', fivesim: 'paypal' },
  { id: 'coinbase', name: 'Coinbase', aliases: [], brands: ['coinbase'], smsActivate: 're', fivesim: 'coinbase' },
  { id: 'ebay', name: 'eBay', aliases: [], brands: ['ebay'], smsActivate: 'dh', fivesim: 'ebay' },
  { id: 'bumble', name: 'Bumble', aliases: [], brands: ['bumble'], smsActivate: 'mo', fivesim: 'bumble' },
  { id: 'bolt', name: 'Bolt', aliases: [], brands: [], ambiguousBrands: ['Bolt'], smsActivate: 'tx', fivesim: 'bolt' },
  { id: 'vinted', name: 'Vinted', aliases: [], brands: ['vinted'], smsActivate: 'kc', fivesim: 'vinted' },
  { id: 'foodpanda', name: 'Foodpanda', aliases: [], brands: ['foodpanda'], smsActivate: 'nz', fivesim: 'foodpanda' },
  { id: 'glovo', name: 'Glovo', aliases: [], brands: ['glovo'], smsActivate: 'aq', fivesim: 'glovo' },
  { id: 'zoho', name: 'Zoho', aliases: [], brands: ['zoho'], smsActivate: 'zh', fivesim: 'zoho' },
  { id: 'blizzard', name: 'Blizzard', aliases: ['battlenet'], brands: ['battle.net'], ambiguousBrands: ['Blizzard'], smsActivate: 'bz', fivesim: 'blizzard' },
  { id: 'baidu', name: 'Baidu', aliases: [], brands: ['baidu', '百度'], smsActivate: 'li', fivesim: 'baidu' },
  { id: 'revolut', name: 'Revolut', aliases: [], brands: ['revolut'], smsActivate: 'ij', fivesim: 'revolut' },
  { id: 'avito', name: 'Avito', aliases: ['авито'], brands: ['avito', 'авито'], smsActivate: 'av', fivesim: 'avito' },
  { id: 'youla', name: 'Youla', aliases: ['yoularu', 'юла'], brands: ['youla'], ambiguousBrands: ['Юла'], smsActivate: 'ym', fivesim: 'youla' },
  { id: 'nike', name: 'Nike', aliases: [], brands: ['nike'], smsActivate: 'ew', fivesim: 'nike' },
  { id: 'ifood', name: 'iFood', aliases: [], brands: ['ifood'], smsActivate: 'pd', fivesim: 'ifood' },
  { id: 'indomaret', name: 'Indomaret', aliases: [], brands: ['indomaret'], smsActivate: 'ju', fivesim: 'indomaret' },
  { id: '888casino', name: '888casino', aliases: ['888'], brands: ['888casino', '888 casino'], smsActivate: 'll', fivesim: '888casino' },
  // Not in the SMS-Activate list, but the extractor knows their code shapes.
  { id: 'apple', name: 'Apple', aliases: ['appleid', 'icloud'], brands: ['icloud', 'apple id', 'apple account'], ambiguousBrands: ['Apple'], shape: '^\\d{6}$', fivesim: 'apple' },
  { id: 'signal', name: 'Signal', aliases: [], brands: ['signal messenger'], ambiguousBrands: ['Signal'], shape: '^\\d{6}$', fivesim: 'signal' },
];
