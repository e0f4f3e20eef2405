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
    word: [
      'otp', 'pin', 'tan', 'mtan', 'smstan', 'pushtan', 'chiptan', 'phototan', '2fa', 'p/w', 'mã', 'pin-code',
      // 3-D Secure names a card-payment code; letters-only codes follow it too.
      '3ds', '3d secure', '3d-secure', '3-d secure', '3dsecure',
    ],
    prefix: [
      'one-time', 'one time', 'onetime', 'kod', 'parol', 'hasło', 'haslo', 'şifre', 'sifre', 'clave',
      'verif', 'vérif', 'mot de passe', 'код', 'пароль', 'κωδικ', 'codic',
      // "key" as banks call a short confirmation code (Russian, transliterated, Portuguese, Italian, Polish…).
      'ключ', 'klyuch', 'kluch', 'chave', 'chiave', 'klucz', 'schlüssel', 'anahtar',
      // Russian written in Latin letters: "odnorazovyj kod", "odnorazoviy parol".
      'odnorazov', 'одноразов',
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
    word: ['access', 'secret', 'login', 'log in', 'log-in', 'sign in', 'sign-in', 'two factor', 'two-factor', '2-step', 'key'],
    prefix: [
      'authent', 'authori', 'autoryz', 'confirm', 'podtverzh', 'podtverd', 'vhod', 'vkhod', 'вход', 'activat', 'activación', 'ativação', 'aktivier',
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
    `(?:ship|deliver|parcel|package|track|arriv|dispatch|invoice|ticket|flight|booking|reservation|balance|payment|paid|refund|pacco|paket|paczk|colis|livraison|entrega|envío|envio|pedido|посылк|достав|отправлени|kargo|sipariş|saldo|balans|bakiye|solde|dostupno|доступно|ostatok|остаток|баланс|agent|wakala|withdraw|credit|debit|bal|loan|limit|кредит|лимит|вклад|сумм)`,
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
    `(?:promo(?:tional)?|discount|coupon|voucher|gift|referral|invite|invitation|purchase|zip|postal|post|area|country|dial(?:ling)?|qr|bar|source|booking|tracking|reference|product|item|redeem|redemption|claim|identifier|bonus|reward|prize)\\s*codes?${WORD_END}`,
    `(?:código|codigo)\\s+(?:promocional|de\\s+descuento|postal|de\\s+cup[oó]n|de\\s+invitaci[oó]n|de\\s+convite|de\\s+indica[cç][aã]o|de\\s+referido)`,
    // Invitation / referral codes in other languages.
    `(?:code\\s+(?:d'invitation|de\\s+parrainage)|codice\\s+(?:invito|amico)|einladungscode|empfehlungscode|kod\\s+(?:zaproszenia|polecaj\\S*)|код\\s+приглашения|kod\\s+priglasheniya|kode\\s+(?:undangan|referral|referal)|davet\\s+kodu|referans\\s+kodu|mã\\s+(?:giới\\s+thiệu|mời)|ma\\s+gioi\\s+thieu)`,
    `codice\\s+(?:sconto|promozionale|fiscale|postale)`,
    `code\\s+(?:promo|postal)`,
    `(?:promo-?code|промокод\\S*|postleitzahl)`,
    // Sentence-level promo vocabulary.
    `(?:promo(?:tion(?:al)?)?|discount|coupon|voucher|checkout|check-out|cashback|скидк\\S*|descuento|cup[oó]n|cupom|desconto|rabatt|gutschein|réduction|sconto|korting)${WORD_END}`,
    `\\d+\\s?%\\s?off${WORD_END}`,
    `off\\s+(?:your|on|all|any)${WORD_END}`,
    '优惠码|优惠券|折扣|邀请码|邀請碼|推荐码|推薦碼|招待コード|紹介コード|クーポン|割引|할인|초대\\s*코드|추천인\\s*코드|تخفیف|خصم|کد\\s*تخفیف|کد\\s*معرف|رمز\\s*الدعوة',
  ].join('|'),
  'giu',
);

// ---- Context patterns, tested on the text just before (…$) or just after (^…) a candidate. ----

const NOT_LETTER_BEFORE = '(?<![\\p{L}])';

/** ISO 4217 codes seen in SMS from the platform's countries (amounts are never codes). */
export const CURRENCY_CODES =
  'USD|EUR|GBP|RUB|RUR|JPY|CNY|RMB|VND|TWD|HKD|SGD|INR|IRR|IRT|KZT|UAH|BYN|TRY|BRL|MXN|PLN|CHF|CZK|HUF|RON|BGN|GEL|AMD|AZN|UZS|KGS|TJS|MNT|' +
  'KES|TZS|UGX|NGN|GHS|ZAR|ZMW|ETB|RWF|XAF|XOF|MZN|MWK|BWP|AED|SAR|QAR|KWD|OMR|BHD|EGP|MAD|DZD|TND|JOD|ILS|IQD|PKR|BDT|LKR|NPR|' +
  'THB|MYR|IDR|PHP|KRW|AUD|CAD|NZD|SEK|NOK|DKK|ARS|CLP|COP|PEN|UYU|BOB|PYG|DOP|GTQ|MMK|KHR|LAK';

/** Currency or amount label right before the number: "USD 2500", "€13", "Rs.4849", "金额9876", "مبلغ:". */
export const CURRENCY_BEFORE = new RegExp(
  `(?:${NOT_LETTER_BEFORE}(?:${CURRENCY_CODES}|NTD|Rs|Rp|RM|Tk|Ksh|Tsh|amount|amt|total|sum|balance|bal|betrag|montant|importe|valor|сумм\\S*|so\\s+tien|số\\s+tiền)|NT\\$|R\\$|S\\/|[€$£¥₹₽₫₦₵₱₺₸₴₼₾₪฿₩৳]|金额|金額|付款|消费|消費|价格|價格|مبلغ)\\s*\\.?\\s*[:：]?\\s*$`,
  'iu',
);

/** Currency unit or percent right after the number: "9876元", "6000000 VND", "800 RUB", "50 %". */
export const CURRENCY_AFTER = new RegExp(
  `^\\s?(?:(?:${CURRENCY_CODES}|Ksh|Tsh|dollars?|euros?|руб\\S*|р\\.?|грн|dong|toman|rials?|shillings?)(?![\\p{L}])|[€$£¥₹₽₫₦₵₱₺₸₴₼₾₪฿₩৳%]|元|円|块|圓|塊|ريال|ریال|تومان|دلار)`,
  'iu',
);

/** Card-tail markers: "ending in 4321", "Endziffer-0000", "尾号1234", "XX5673", "****1234". */
export const CARD_TAIL_BEFORE = new RegExp(
  `(?:${NOT_LETTER_BEFORE}(?:ending(?:\\s+(?:in|with))?|ends?\\s+(?:in|with)|endziffer|endet\\s+auf|card|karte|карт\\S*|tarjeta|cart[aã]o|carte|kart[ıi]|a\\/c|acct)|尾号|尾號|后四位|後四位|後四碼|后四码|末尾|下4桁|下四桁|[Xx]{2,}|\\*{2,}|•{2,})\\s*[-:：.]?\\s*$`,
  'iu',
);

/** Phone-number context: "call 5551234", "LH 19009247", "拨打10086", "so dien thoai 1365…". */
export const PHONE_BEFORE = new RegExp(
  `(?:${NOT_LETTER_BEFORE}(?:tel|phone|call(?:\\s+(?:us|me))?(?:\\s+back)?(?:\\s+(?:at|on))?|LH|hotline|helpline|help|info|contact(?:\\s+us)?(?:\\s+(?:at|on))?|тел|звоните|позвоните|zvonite|pozvonite|spravka|справк\\S*|dovidka|довідк\\S*|podrobnee|подробнее|detali|деталі|details|bilgi|ar[ıi]y[ıi]n(?:[ıi]z)?|llam\\S*|ligue|appelez|chiama\\S*|anrufen|so\\s+dien\\s+thoai|số\\s+điện\\s+thoại|sdt|sđt|телефон\\S*|telefon\\S*)|\\+|拨打|致电|电话|電話|热线|熱線|客服)\\s*[.:：]?\\s*$`,
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

/** Connectors that announce a value: "code: 1234", "code is 1234", "code is #1234#", "码为1234", "コードは1234", "『1234』". */
export const LEAD_IN_BEFORE = new RegExp(
  `(?:[:：=]|${NOT_LETTER_BEFORE}(?:is|es|est|ist|è|é|lautet|là|la|to|er|är)|是|为|為|は|：)\\s*["'「『【\\[(（“]?#{0,2}\\s*$|["'「『【\\[(（“]\\s*$`,
  'iu',
);

/** The code stands first in its message, after an optional sender tag: "【哔哩哔哩】546054…". */
export const CODE_FIRST_BEFORE = /^\s*(?:[【[(（<][^\]】)）>\n]{0,40}[\]】)）>])?\s*$/u;

/** A "19xx"/"20xx" number followed by a date separator or year marker is a year. */
export const YEAR_AFTER = /^\s*(?:[-/.]|年|년|г\.|yılı)/u;

/** An amount label ending in its currency code: "на сумму 6 000.00 RUB: 9252" (the number after it is no amount). */
export const AMOUNT_THEN_COLON_BEFORE = /\d\s?(?:[A-Z]{3}|руб\.?|р\.)\s*[:：]\s*$/u;

/** Brand or model words right before a number: "Samsung SM-G930F", "Xiaomi Redmi Note 8 M1908C3JG". Case-sensitive. */
export const DEVICE_MODEL_BEFORE = new RegExp(
  `(?<![\\p{L}\\p{N}])(?:[Ss]amsung|SAMSUNG|Galaxy|GALAXY|iPhone|IPHONE|iPad|Xiaomi|XIAOMI|Redmi|REDMI|POCO|Poco|Huawei|HUAWEI|Honor|HONOR|OPPO|Oppo|vivo|VIVO|Vivo|realme|Realme|OnePlus|ONEPLUS|Pixel|Nokia|NOKIA|Motorola|Moto|Sony|Xperia|Lenovo|ASUS|Asus|ZTE|TECNO|Tecno|Infinix|Meizu|Nexus|HTC|Alcatel)` +
    `(?:[\\s(,/-]+(?:[A-Z]{1,3}|[A-Za-z]*\\d[A-Za-z0-9+]*|Note|Pro|Max|Plus|Ultra|Lite|Mini|Edge|Fold|Flip|Neo|Prime|Mi|SE|FE|Go|Play|Galaxy|Redmi)\\)?)*[\\s(,/-]*$`,
  'u',
);

/**
 * A device or model label, then up to three model tokens (capitalised or with a digit), before an
 * alphanumeric token: "new device M2101K6G", "устройство Samsung RMX3085". Case-sensitive on purpose:
 * "устройства: ваш код AB12" must not read "ваш код" as a model name.
 */
export const DEVICE_WORD_BEFORE = new RegExp(
  `(?:(?<![\\p{L}])(?:[dD]evice|DEVICE|[mM]odel|MODEL|[уУ]стройств\\S*|[мМ]одел\\S*|[uU]stro[iy]stv\\S*|[uU]strojstv\\S*|[dD]ispositivo|[mM]odelo|[aA]ppareil|[mM]od[eè]le|[gG]erät|[cC]ihaz\\S*|[pP]erangkat|[tT]hi[eế]t\\s+b[iị])|设备|裝置|装置|機種|端末|기기|型号|型號|모델)` +
    `(?:[\\s:：-]+(?:\\p{Lu}[\\p{L}\\p{N}+]*|\\p{L}*\\d[\\p{L}\\p{N}+]*)){0,3}[\\s:：-]*$`,
  'u',
);

/** Mobile-money counterparties and agents: "from 129324 - BROTHERS", "no agente 425300", "Till No. 5512". */
export const PARTY_BEFORE = new RegExp(
  `${NOT_LETTER_BEFORE}(?:from|by|to|de|kutoka|kwa|par|von|от|ot)\\s*$`,
  'iu',
);
export const PARTY_NAME_AFTER = /^\s*-\s*\p{Lu}/u;
export const AGENT_BEFORE = new RegExp(
  `${NOT_LETTER_BEFORE}(?:agent|agente|agen|wakala|till(?:\\s+(?:no|number|nr))?|paybill|pay\\s?bill|merchant(?:\\s+(?:id|no|number|code))?|store\\s+(?:no|number)|business\\s+(?:no|number)|lipa\\s+na\\s+m-?pesa)\\s*[.:#-]?\\s*(?:no\\.?\\s*)?$`,
  'iu',
);

/** Labels of a card authorisation (approval) number on a payment receipt. */
export const AUTH_LABEL_BEFORE = new RegExp(
  `(?:${NOT_LETTER_BEFORE}(?:auth(?:ori[sz]ation)?\\.?\\s*(?:code|no\\.?|number|#)|approval\\s*(?:code|no\\.?|number)|appr\\.?\\s*code|код\\s+авториз\\S*|kod\\s+avtoriz\\S*|c[oó]d(?:igo|ice|\\.)?\\s+(?:de\\s+|di\\s+)?autori[sz]{1,2}a\\S*|(?:n[°º.]|num[eé]ro|nro\\.?|n[uú]mero)\\s*(?:de\\s+|d')?autori[sz]\\S*|code\\s+d'autorisation|autorisierungs\\S*|genehmigungs\\S*)|授权码|授權碼|承認番号)\\s*(?:is|:|：|=|-)?\\s*$`,
  'iu',
);

/** Balance-after wording of a completed-transaction receipt ("Dostupno", "Avl bal", "New M-PESA balance"). */
export const BALANCE_AFTER_RE = new RegExp(
  [
    `(?:dostupno|доступно|ostatok|остаток|баланс|balans|available\\s+(?:bal|balance|limit|lmt)|avl\\.?\\s*(?:bal|lmt|limit)|new\\s+(?:[\\w-]+\\s+)?bal(?:ance)?|clr\\.?\\s*bal|balance\\s+is|current\\s+balance|saldo|solde|bakiye|kalan\\s+limit)`,
    '余额|餘額|残高|잔액|موجودی|الرصيد',
  ].join('|'),
  'iu',
);

/**
 * Wording that accompanies a real one-time code (do not share, enter it, valid for, one-time, log in,
 * confirm): a receipt or authorisation number never carries it.
 */
export const OTP_CUE_RE = new RegExp(
  [
    `(?:share|disclose|never\\s+ask|do\\s+not\\s+give|don't\\s+give|valid|expir|enter|one[-\\s]?time|otp|verif|vérif|2fa|two[-\\s]factor|log\\s?-?in|sign\\s?-?in|passcode|password|3-?d[-\\s]?secure|3ds|to\\s+confirm|confirm\\s+(?:your|the|this|it)|use\\s+(?:this|the\\s+code)`,
    `никому|nikomu|не\\s+сообщ|ne\\s+soobsh|не\\s+говорите|ne\\s+govorite|не\\s+передав|ne\\s+peredav|введите|vvedite|действ|deistv|dejstv|подтвержд|podtverzh|podtverd|одноразов|odnorazov|пароль|parol|вход|vhod`,
    `compart|introduc|ingres|digite|válid|contraseña|senha|partag|saisi|valable|condivid|inserisci|teilen|weiter|gültig|eingeben|paylaş|paylas|geçerli|gecerli|doğrula|dogrula|şifre|sifre|chia\\s+s[eẻ]|h[eế]t\\s+h[aạ]n|x[aá]c\\s+th[uự]c)`,
    '勿|不要|有效|验证|驗證|입력|유효|有効|入力|لا\\s+تشارك|تحقق|تایید',
  ].join('|'),
  'iu',
);

/** "Confirmed." after a mobile-money transaction id is a status, not a request to confirm with a code. */
export const PAST_STATUS_RE = /^(?:confirmed|confirmad[oa]s?|confirmée?s?|bestätigt)$/iu;

/**
 * A warning not to share credentials, with the rest of its clause ("Never share Password/OTP with
 * anyone", "Nikomu ne soobshchaite etot SMS-kod"): a keyword inside it announces no code of its own,
 * so it only counts as a weak one (a footer must not turn a receipt's numbers into codes).
 */
export const SHARE_WARNING_RE = new RegExp(
  `(?:(?:never|do\\s*n[o']?t|dont|not\\s+to)\\s+(?:share|disclose|give|reveal|tell|forward)|никому\\s+не|nikomu\\s+ne|не\\s+сообщайте|ne\\s+soobsh\\S*|no\\s+(?:lo\\s+|la\\s+)?compart\\S*|nunca\\s+compart\\S*|n[aã]o\\s+compartilhe|ne\\s+(?:le\\s+)?partagez|nicht\\s+weiter\\S*|kimseyle\\s+payla\\S*|请勿|切勿|لا\\s+تشارك)[^.!?。！？\\n]{0,40}`,
  'giu',
);
