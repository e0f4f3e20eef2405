/**
 * Multilingual vocabulary for the OTP scorer: keywords that announce a code, phrases that look like
 * keywords but are not OTPs, and context patterns that disqualify a number.
 *
 * Sources: the otphelper keyword list, Android's OtpDetectionHelper context words, 2FHey language
 * files, plus common wording in the languages the platform sees (see the reference, §4).
 */

// Letters of space-separated alphabets. CJK is excluded on purpose: Chinese/Japanese have no
// spaces, so `OTP密碼1234` must still see `OTP` as a word.
const ALPHA = '\\p{Script=Latin}\\p{Script=Cyrillic}\\p{Script=Greek}';
const WORD_END = `(?![${ALPHA}])`;
const WORD_CHAR_RE = /[\p{Script=Latin}\p{Script=Cyrillic}\p{Script=Greek}\p{Script=Arabic}0-9]/u;

/**
 * Word-start check done in code rather than with a leading lookbehind: a lookbehind in front of a
 * big alternation stops V8 from scanning for the first characters and doubles the matching time.
 */
export function atWordStart(text: string, index: number): boolean {
  const prev = text[index - 1];
  if (prev === undefined) return true;
  const first = text[index];
  // A match starting with a digit ("20% off" in "SAVE20% off") only needs to start the number.
  if (first !== undefined && first >= '0' && first <= '9') return !(prev >= '0' && prev <= '9');
  return !WORD_CHAR_RE.test(prev);
}

export interface Span {
  start: number;
  end: number;
}

/** Matches of a global regex; with `wordStart`, only those that begin a word. */
export function matchSpans(re: RegExp, text: string, wordStart: boolean): Span[] {
  const out: Span[] = [];
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[0].length === 0 || (wordStart && !atWordStart(text, m.index))) {
      re.lastIndex = m.index + 1;
      continue;
    }
    out.push({ start: m.index, end: m.index + m[0].length });
  }
  return out;
}

/** True when some match of the global regex begins a word. */
export function hasWordMatch(re: RegExp, text: string): boolean {
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (atWordStart(text, m.index)) return true;
    re.lastIndex = m.index + 1;
  }
  return false;
}

function alt(words: readonly string[]): string {
  // Longest first so alternation prefers `smstan` over `tan`.
  return [...words]
    .sort((a, b) => b.length - a.length)
    .map((w) => w.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&').replace(/ /g, '\\s+'))
    .join('|');
}

interface KeywordSpec {
  weight: number;
  /** Whole words only (short, ambiguous words: pin, tan, ma). */
  word?: readonly string[];
  /** Start of a word, any ending (inflections: kodu, kodunuz, пароля, verification). */
  prefix?: readonly string[];
  /** Anywhere, for compounds (Bestätigungscode, VerifyCode, vahvistuskoodia) and unspaced scripts. */
  infix?: readonly string[];
  /** Arabic-script words, optionally with the attached article ال (الرمز). */
  arabic?: readonly string[];
}

const SPECS: readonly KeywordSpec[] = [
  {
    weight: 1,
    word: ['otp', 'pin', 'tan', 'mtan', 'smstan', 'pushtan', 'chiptan', 'phototan', '2fa', 'p/w', 'mã', 'pin-code'],
    prefix: [
      'one-time', 'one time', 'onetime', 'kod', 'parol', 'hasło', 'haslo', 'şifre', 'sifre', 'clave',
      'verif', 'vérif', 'mot de passe', 'код', 'пароль', 'κωδικ', 'codic',
    ],
    infix: [
      'code', 'codigo', 'código', 'koodi', 'kennwort', 'passwort', 'password', 'passcode',
      'wachtwoord', 'contraseña', 'contrasena', 'senha', 'salasana',
      '验证码', '驗證碼', '验证碼', '校验码', '校驗碼', '动态码', '動態碼', '确认码', '確認碼',
      '认证码', '認證碼', '激活码', '授权码', '安全码', '随机码', '口令', '密码', '密碼',
      'コード', 'パスワード', 'パスコード', '認証番号', '確認番号', '暗証番号', 'ワンタイム',
      '인증번호', '코드', '비밀번호', 'סיסמ', 'קוד', 'კოდ', 'รหัส',
    ],
    arabic: ['رمز', 'كود', 'کد', 'كد', 'کود', 'گذرواژه', 'كلمة المرور', 'كلمة السر'],
  },
  {
    weight: 0.7,
    word: ['access', 'secret', 'login', 'log in', 'log-in', 'sign in', 'sign-in', 'two factor', 'two-factor', '2-step'],
    prefix: [
      'authent', 'authori', 'autoryz', 'confirm', 'activat', 'activación', 'ativação', 'aktivier',
      'attiva', 'secur', 'sicher', 'segur', 'sécur', 'sicurezza', 'inlog', 'anmeld', 'token',
      'doğrula', 'dogrula', 'vahvist', 'verifikasi', 'xac thuc', 'xác thực', 'kich hoat',
      'kích hoạt', 'подтвержд', 'validat', 'bestätig',
    ],
    infix: ['验证', '驗證', '认证', '認證', '校验', '校驗', '登录', '登入', '確認', '인증'],
    arabic: ['تایید', 'تأیید', 'التحقق', 'تحقق', 'فعالسازی'],
  },
  {
    // Vietnamese "ma" (= mã, code) is a word in other languages too (Polish "has", Italian "but").
    weight: 0.55,
    word: ['ma'],
  },
  {
    // "Enter …" verbs: weak on their own, but common right before a code.
    weight: 0.45,
    word: ['enter', 'nhap', 'nhập'],
    prefix: [
      'introduzca', 'introduce', 'ingrese', 'ingresa', 'digite', 'insira', 'eingeben', 'saisi',
      'inserisci', 'введите', 'wpisz', 'girin',
    ],
    infix: ['输入', '輸入', '入力', '입력'],
  },
];

export interface KeywordPattern {
  weight: number;
  re: RegExp;
  /** Matches must begin a word (checked with atWordStart). */
  wordStart: boolean;
}

function compile(spec: KeywordSpec): KeywordPattern[] {
  const bounded: string[] = [];
  if (spec.word?.length) bounded.push(`(?:${alt(spec.word)})${WORD_END}`);
  // A prefix match runs to the end of its word, so distances are measured from the whole word.
  if (spec.prefix?.length) bounded.push(`(?:${alt(spec.prefix)})[\\p{L}\\p{M}]*`);
  // Arabic-script words may carry the attached article ال (الرمز).
  if (spec.arabic?.length) bounded.push(`(?:ال)?(?:${alt(spec.arabic)})`);
  const out: KeywordPattern[] = [];
  if (bounded.length) out.push({ weight: spec.weight, re: new RegExp(bounded.join('|'), 'giu'), wordStart: true });
  if (spec.infix?.length) out.push({ weight: spec.weight, re: new RegExp(alt(spec.infix), 'giu'), wordStart: false });
  return out;
}

export const KEYWORD_PATTERNS: readonly KeywordPattern[] = SPECS.flatMap(compile);

/**
 * Logistics and billing vocabulary. A lone number in such a sentence is a reference (parcel, order,
 * invoice, ticket), so the keyword-less fallback does not take it. Use with hasWordMatch.
 */
export const REFERENCE_CONTEXT_RE = new RegExp(
  [
    `(?:ship|deliver|parcel|package|track|arriv|dispatch|invoice|ticket|flight|booking|reservation|balance|payment|paid|refund|pacco|paket|paczk|colis|livraison|entrega|envío|envio|pedido|посылк|достав|отправлени|kargo|sipariş)`,
    '快递|快遞|包裹|物流|运单|運單|发票|發票|配達|荷物|택배|배송|مرسوله|بسته',
  ].join('|'),
  'giu',
);

/** Words for TAN whose value may be written with spaces between characters (`TAN a u 8 k u f`). */
export const SPACED_TAN_RE = new RegExp(
  `(?<![${ALPHA}0-9])(?:m|sms|push|chip|photo)?tan(?:-code)?\\s*(?:[:：]|lautet|ist|is)?\\s*((?:[A-Za-z0-9] ){3,11}[A-Za-z0-9])(?![\\p{L}\\p{N}])`,
  'giu',
);

/**
 * Things that contain a keyword but are not one-time codes. A keyword match inside one of these is
 * dropped; a candidate in the same sentence is rejected (it is a promo / postal / tracking code).
 * Use with matchSpans(…, true): every alternative must begin a word.
 */
export const NON_OTP_RE = new RegExp(
  [
    `(?:vs|uni|bar|en|de|zip|post|geo|op|qr|short|promo|source|country|area|gutschein|rabatt|discount)codes?${WORD_END}`,
    `codex`,
    `(?:promo(?:tional)?|discount|coupon|voucher|gift|referral|invite|invitation|purchase|zip|postal|post|area|country|dial(?:ling)?|qr|bar|source|booking|tracking|reference|product|item|redeem|redemption)\\s+codes?${WORD_END}`,
    `(?:código|codigo)\\s+(?:promocional|de\\s+descuento|postal|de\\s+cup[oó]n)`,
    `codice\\s+(?:sconto|promozionale|fiscale|postale)`,
    `code\\s+(?:promo|postal)`,
    `(?:promo-?code|промокод\\S*|postleitzahl)`,
    // Sentence-level promo vocabulary.
    `(?:promo(?:tion(?:al)?)?|discount|coupon|voucher|checkout|check-out|cashback|скидк\\S*|descuento|cup[oó]n|cupom|desconto|rabatt|gutschein|réduction|sconto|korting)${WORD_END}`,
    `\\d+\\s?%\\s?off${WORD_END}`,
    `off\\s+(?:your|on|all|any)${WORD_END}`,
    '优惠码|优惠券|折扣|邀请码|クーポン|割引|할인|تخفیف|خصم|کد\\s*تخفیف',
  ].join('|'),
  'giu',
);

// ---- Context patterns, tested on the text just before (…$) or just after (^…) a candidate. ----

const NOT_LETTER_BEFORE = '(?<![\\p{L}])';

/** Currency or amount label right before the number: "USD 2500", "€13", "Rs.4849", "金额9876", "مبلغ:". */
export const CURRENCY_BEFORE = new RegExp(
  `(?:${NOT_LETTER_BEFORE}(?:USD|EUR|GBP|RUB|JPY|CNY|RMB|VND|TWD|NTD|HKD|SGD|INR|Rs|IRR|IRT|KZT|UAH|TRY|BRL|MXN|PLN|CHF|amount|total|sum|balance|bal|betrag|montant|importe|valor|сумм\\S*|so\\s+tien|số\\s+tiền)|NT\\$|[€$£¥₹₽₫]|金额|金額|付款|消费|消費|价格|價格|مبلغ)\\s*\\.?\\s*[:：]?\\s*$`,
  'iu',
);

/** Currency unit or percent right after the number: "9876元", "6000000 VND", "800 RUB", "50 %". */
export const CURRENCY_AFTER = new RegExp(
  `^\\s?(?:(?:USD|EUR|GBP|RUB|JPY|CNY|RMB|VND|TWD|HKD|SGD|INR|IRR|IRT|KZT|UAH|TRY|BRL|MXN|PLN|CHF|dollars?|euros?|руб\\S*|грн|dong|toman|rials?)(?![\\p{L}])|[€$£¥₹₽₫%]|元|円|块|圓|塊|ريال|ریال|تومان|دلار)`,
  'iu',
);

/** Card-tail markers: "ending in 4321", "Endziffer-0000", "尾号1234", "XX5673", "****1234". */
export const CARD_TAIL_BEFORE = new RegExp(
  `(?:${NOT_LETTER_BEFORE}(?:ending(?:\\s+(?:in|with))?|ends?\\s+(?:in|with)|endziffer|endet\\s+auf|card|karte|карт\\S*|tarjeta|cart[aã]o|carte|kart[ıi]|a\\/c|acct)|尾号|尾號|后四位|後四位|後四碼|后四码|末尾|下4桁|下四桁|[Xx]{2,}|\\*{2,}|•{2,})\\s*[-:：.]?\\s*$`,
  'iu',
);

/** Phone-number context: "call 5551234", "LH 19009247", "拨打10086", "so dien thoai 1365…". */
export const PHONE_BEFORE = new RegExp(
  `(?:${NOT_LETTER_BEFORE}(?:tel|phone|call(?:\\s+(?:us|me))?(?:\\s+back)?(?:\\s+(?:at|on))?|LH|hotline|helpline|contact(?:\\s+us)?(?:\\s+(?:at|on))?|тел|звоните|so\\s+dien\\s+thoai|số\\s+điện\\s+thoại|sdt|sđt|телефон\\S*)|\\+|拨打|致电|电话|電話|热线|熱線|客服)\\s*[.:：]?\\s*$`,
  'iu',
);

/** Short codes to text: "Txt CLAIM to 81010", "Reply … to No: 81010". */
export const SHORTCODE_BEFORE = new RegExp(
  `(?:${NOT_LETTER_BEFORE}(?:txt|text|sms|send|reply|msg)(?![\\p{L}])[^.!?\\n]{0,40}?${NOT_LETTER_BEFORE}to|${NOT_LETTER_BEFORE}to\\s+(?:no|number|nr)\\.?)\\s*[:：]?\\s*$`,
  'iu',
);

/** A duration unit right after the number: "1440 minutes", "10分钟", "5 دقیقه". */
export const DURATION_AFTER = new RegExp(
  `^\\s?(?:(?:min(?:ute)?s?|minuten?|minutos?|minuti|minuut|sec(?:ond)?s?|hours?|hrs?|days?|dakika|saat|godz\\S*|minut\\S*|мин\\S*|сек\\S*|час\\S*|дн\\S*|phut|phút|giây|giờ)(?![\\p{L}])|分钟|分鐘|分|秒|小时|小時|時間|天|일|분|초|시간|دقیقه|دقائق|ساعت|ثانیه)`,
  'iu',
);

/** Storage and measurement units right after the number: "30 GB", "2500 mAh". */
export const UNIT_AFTER = /^\s?(?:[KMGT]B|mAh|km|kg|cm|mm|ml|px|GHz|MHz)(?![\p{L}])/iu;

/**
 * Identifier labels (penalised, not rejected): "ma GD 1533", "eTAC is 98…", "识别码ABCD",
 * "IP: …", "Ref 8812", "order no 5512", "Flight AA1234", "#5512", "номер 12345".
 */
export const ID_BEFORE = new RegExp(
  `(?:${NOT_LETTER_BEFORE}(?:ma\\s+GD|mã\\s+GD|eTAC|IP|ID|Ref(?:erence)?|S\\/N|P\\/N|No|Nr|number|numer|nummer|numéro|número|номер|invoice|ticket|flight|room|order\\s*(?:no|id|number)|tracking|case|booking|account|acct)(?:\\s+is)?|№|识别码|識別碼|编号|編號|订单号|訂單號|单号|單號|交易号|流水号|#)\\s*[.:：#]?\\s*$`,
  'iu',
);

/** Connectors that announce a value: "code: 1234", "code is 1234", "码为1234", "コードは1234", "『1234』". */
export const LEAD_IN_BEFORE = new RegExp(
  `(?:[:：=]|${NOT_LETTER_BEFORE}(?:is|es|est|ist|è|é|lautet|là|la|to|er|är)|是|为|為|は|：)\\s*["'「『【\\[(（“]?\\s*$|["'「『【\\[(（“]\\s*$`,
  'iu',
);

/** The code stands first in its message, after an optional sender tag: "【哔哩哔哩】546054…". */
export const CODE_FIRST_BEFORE = /^\s*(?:[【[(（<][^\]】)）>\n]{0,40}[\]】)）>])?\s*$/u;

/** A "19xx"/"20xx" number followed by a date separator or year marker is a year. */
export const YEAR_AFTER = /^\s*(?:[-/.]|年|년|г\.|yılı)/u;
