import {
  BIRTHDAY_WINDOW_KINDS,
  FEEDBACK_CATEGORIES,
  type FeedbackCategory,
  MESSAGE_KINDS,
  type MessageKind,
  STAFF_ROLES,
  type StaffRole,
  SUBSCRIBE_MOMENTS,
  type SubscribeMoment,
  TIER_CODES,
  type TierCode,
} from '@member/shared';
import { SCORED_RFM_SEGMENTS, type ScoredRfmSegment, uncoveredScoreCombinations } from '@member/shared';
import { isSubscribePhrase, SUBSCRIBE_PHRASES, subscribeTypeOfKey } from '@member/shared';
import { HEX_COLOR } from '@member/shared';
import { z } from 'zod';

/** stable_token rolls its token over in the token's last 5 minutes (WeChat's getStableAccessToken doc). */
export const MAX_TOKEN_REFRESH_AHEAD_SECONDS = 300;

const fen = z.int().nonnegative();
const permille = z.int().min(0).max(10000);
const secret = z.string().min(32, 'must be at least 32 characters');
const storeCode = z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'must be 1-32 letters, digits, _ or -');
const failureLimit = z.object({
  limit: z.int().min(1).max(10_000),
  windowSeconds: z.int().min(1).max(86400),
  lockSeconds: z
    .int()
    .min(1)
    .max(7 * 86400),
});
const baseUrl = z.url({ protocol: /^https?$/ }).transform((url) => url.replace(/\/+$/, ''));

const tier = z.object({
  code: z.enum(TIER_CODES as [TierCode, ...TierCode[]]),
  name: z.string().min(1).max(10),
  minSpendFen: fen,
  pointsMultiplierPermille: permille,
  memberPricePermille: permille.max(1000),
  benefits: z.array(z.string().min(1)).max(10),
});

const hexColor = z.string().regex(HEX_COLOR, 'must be a colour like #e8453c');
const tierCardArt = z.object({ colors: z.array(hexColor).min(2).max(4), text: hexColor, accent: hexColor });

/** How the app looks and who answers the phone; the name is `appName`. */
const brand = z.object({
  slogan: z.string().min(1).max(24),
  /** Shown through a data URL in `<Image>`: one SVG document in printable ASCII (no script, no external refs). */
  logoSvg: z
    .string()
    .max(4096)
    .refine((svg) => /^<svg[\s>]/.test(svg) && svg.trimEnd().endsWith('</svg>'), 'must be one SVG document, <svg …>…</svg>')
    .refine((svg) => /^[\x20-\x7e]*$/.test(svg), 'must be printable ASCII on one line (write non-ASCII text as a path)')
    .refine((svg) => !/<script|\son\w+=|href=['"]?(?!#)/i.test(svg), 'must not contain scripts, event handlers or external links'),
  primaryColor: hexColor,
  accentColor: hexColor,
  service: z.object({
    phone: z.string().regex(/^\+?[0-9][0-9 -]{4,19}$/, 'must be a phone number such as 400-820-8820'),
    hours: z.string().min(1).max(32),
    faq: z.array(z.object({ question: z.string().min(1).max(40), answer: z.string().min(1).max(200) })).max(12),
  }),
  tierCards: z.partialRecord(z.enum(TIER_CODES as [TierCode, ...TierCode[]]), tierCardArt),
});

const isTimeZone = (zone: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

/** An inclusive range of RFM scores, [lowest, highest]. */
const rfmScoreRange = z
  .tuple([z.int().min(1).max(5), z.int().min(1).max(5)])
  .refine(([low, high]) => low <= high, 'lowest must not exceed highest');

/** The whole runtime configuration. Keys are what error messages name, e.g. `memberCode.periodSeconds`. */
export const configSchema = z
  .object({
    env: z.enum(['development', 'test', 'production']),
    appName: z.string().min(1),
    brand,
    server: z.object({
      host: z.string().min(1),
      port: z.int().min(0).max(65535),
      /** Folder of the mini-program's H5 build to serve at `/` (demo), or null. */
      h5StaticDir: z.string().min(1).nullable(),
      /** Folder of the HQ console's build (server/console/dist) to serve at `/console/`, or null. */
      consoleStaticDir: z.string().min(1).nullable(),
      logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    }),
    database: z.object({
      /** mysql://user:pass@host:port/db; null → the embedded SQLite file. */
      url: z.url({ protocol: /^mysql$/ }).nullable(),
      sqlitePath: z.string().min(1),
      poolSize: z.int().min(1).max(500),
    }),
    wechat: z.object({
      appid: z.string().regex(/^wx[0-9a-zA-Z]{16}$/, 'must look like wx followed by 16 letters or digits'),
      secret: z.string().min(1),
      apiBaseUrl: baseUrl,
      payApiBaseUrl: baseUrl,
      /**
       * How long before expiry the access token is refreshed. At most 300: stable_token hands out the same token
       * until its last 5 minutes, so a longer lead would fetch again on every call in between (past the
       * 10,000 calls/min limit under load).
       */
      tokenRefreshAheadSeconds: z
        .int()
        .min(0)
        .max(
          MAX_TOKEN_REFRESH_AHEAD_SECONDS,
          `must be at most ${MAX_TOKEN_REFRESH_AHEAD_SECONDS}: stable_token returns the same token ` +
            `until its last ${MAX_TOKEN_REFRESH_AHEAD_SECONDS} s, so refreshing earlier refetches on every call`,
        ),
      requestTimeoutMs: z.int().min(100).max(60000),
    }),
    security: z.object({
      sessionSecret: secret,
      memberCodeSecret: secret,
      /** 32 bytes, base64: AES-256-GCM for phone numbers; a separate HMAC key for look-ups is derived from it. */
      phoneEncryptionKey: z.string().refine((value) => Buffer.from(value, 'base64').length === 32, 'must be 32 random bytes in base64'),
    }),
    session: z.object({ ttlSeconds: z.int().min(60).max(86400) }),
    /** Avatars members upload (weapp chooseAvatar): stored in the database, served at /api/media/avatars. */
    avatar: z.object({
      maxBytes: z
        .int()
        .min(1024)
        .max(5 * 1024 * 1024),
    }),
    coupons: z.object({
      /** "New members only" coupons: joined within this many days. */
      newMemberDays: z.int().min(1).max(3650),
      /** How often the expiry sweep runs (once per period across all instances); 0 turns it off. */
      expirySweepSeconds: z.int().min(0).max(86400),
      /** The wallet badges coupons expiring within this many days ("3天后过期"). */
      expiringSoonDays: z.int().min(0).max(60),
      walletPageSize: z.int().min(10).max(500),
      /**
       * Flash claims are write-combined per template inside each server instance: claims queue for `windowMs`
       * (or until `maxBatch` wait) and one transaction takes them all; up to `flushesInFlight` such transactions per
       * template run at once (they queue at the row lock, which saves their round trips before it). A sold-out template is answered from
       * memory, re-read every `soldOutRecheckMs`, when its stock is at most `soldOutMemoryMaxStock`.
       */
      flashClaim: z.object({
        windowMs: z.int().min(0).max(100),
        maxBatch: z.int().min(1).max(2000),
        flushesInFlight: z.int().min(1).max(16),
        /**
         * A flush that finds at least this many taps queued as it begins takes them at once and sends the batch's
         * reads with the row lock, one round trip fewer while it holds the lock (MySQL); below, it takes its batch
         * once it holds the lock, with what arrived while it waited.
         */
        readWithLockFrom: z.int().min(1).max(100_000),
        connections: z.int().min(1).max(64),
        soldOutRecheckMs: z.int().min(50).max(60_000),
        soldOutMemoryMaxStock: z.int().min(0).max(10_000_000),
      }),
    }),
    points: z.object({
      /** Points earned in a year expire at the end of the year this many years later (product default 1). */
      expiryYearsAfter: z.int().min(0).max(10),
      /** Fewest points one purchase may burn. */
      minBurnPoints: z.int().min(0).max(1_000_000),
      /** Most of the amount due (after the coupon) points may pay, per-mille. */
      maxBurnPermilleOfOrder: z.int().min(0).max(1000),
      /** The bonus on member days and in the birthday window (2000 = double points). */
      doublePermille: z.int().min(1000).max(10_000),
      /** Member days (会员日) as days of the month on the business calendar, e.g. [8, 18, 28]. */
      memberDaysOfMonth: z.array(z.int().min(1).max(31)).max(31),
      /** How often the expiry sweep runs (once per period across all instances); 0 turns it off. */
      expirySweepSeconds: z.int().min(0).max(86400),
      historyPageSize: z.int().min(10).max(500),
    }),
    /** Rewards fired by a purchase (营销规则 / 支付有礼): what one rule may give one sale, and how many rules. */
    purchaseRules: z.object({
      /** Most coupons one rule gives one sale (the coupons of a grant take claim sequences 10 apart, so ≤ 9). */
      maxCouponsPerGrant: z.int().min(1).max(9),
      /** Most fixed points one rule gives one sale. */
      maxPointsPerGrant: z.int().min(0).max(1_000_000),
      /** Highest points multiplier a rule may set (per-mille; 3000 = triple points). */
      maxMultiplierPermille: z.int().min(1000).max(10_000),
      /** Most rules not ended at once (each sale is checked against every active one). */
      maxOpenRules: z.int().min(1).max(500),
    }),
    businessCalendar: z.object({
      timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone such as Asia/Shanghai'),
    }),
    tierWindowMonths: z.int().min(1).max(36),
    tiers: z
      .array(tier)
      .min(1)
      .superRefine((tiers, ctx) => {
        const codes = new Set(tiers.map((t) => t.code));
        if (codes.size !== tiers.length) ctx.addIssue({ code: 'custom', message: 'tier codes must be unique' });
        if (!tiers.some((t) => t.minSpendFen === 0)) {
          ctx.addIssue({ code: 'custom', message: 'the lowest tier must start at minSpendFen 0' });
        }
        const thresholds = new Set(tiers.map((t) => t.minSpendFen));
        if (thresholds.size !== tiers.length) ctx.addIssue({ code: 'custom', message: 'tier thresholds must differ' });
      }),
    memberCode: z.object({
      periodSeconds: z.int().min(10).max(3600),
      /** Extra seconds a code stays valid after its period, for a slow scan at the till. */
      graceSeconds: z.int().min(0).max(300),
      prefix: z.string().regex(/^[1-9]\d$/, 'must be two digits, not starting with 0'),
    }),
    birthday: z.object({
      changeCooldownMonths: z.int().min(0).max(120),
      maxAgeYears: z.int().min(1).max(150),
      /** The birthday perk (生日礼遇): double points for the window, and a coupon, once per member per year. */
      perk: z.object({
        /** The whole birthday month (the window opens on the 1st), or the birthday itself. */
        window: z.enum(BIRTHDAY_WINDOW_KINDS as ['month', 'day']),
        /**
         * The coupon template the birthday coupon comes from: an ordinary template marketing creates (give it a
         * claim window that has already ended, so it stays out of the claim centre). Its stock and pause apply;
         * its claim window, audience and per-member limit do not. null: double points only, no coupon.
         */
        couponTemplateId: z.int().positive().nullable(),
        /** When the daily job runs, local time in the business time zone ("00:05"). */
        runAtLocalTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24-hour clock) in the business time zone'),
      }),
    }),
    lifecycle: z
      .object({
        dormantAfterDays: z.int().min(1),
        churnedAfterDays: z.int().min(1),
        /** 常客 (regular): at least this many purchases in each of the last `regularMonths` complete months. */
        regularMinPurchasesPerMonth: z.int().min(1).max(100),
        regularMonths: z.int().min(1).max(12),
      })
      .refine((l) => l.churnedAfterDays > l.dormantAfterDays, 'churnedAfterDays must exceed dormantAfterDays'),
    /** The periodic review: tier downgrades after a grace period, and lifecycle statuses. */
    membershipReview: z.object({
      /** A tier is lowered only after the spend has stayed below it this many days. */
      tierGraceDays: z.int().min(0).max(365),
      /** How often the review runs (once per period across all instances); 0 turns it off. */
      runEverySeconds: z
        .int()
        .min(0)
        .max(7 * 86400),
    }),
    /** The stores members can pay at in the app (the till shows each store's payment code). */
    stores: z.array(z.object({ code: storeCode, name: z.string().min(1).max(20) })).min(1),
    payment: z.object({
      /** An unpaid order is closed (at WeChat too) and its coupon and points released after this many minutes. */
      orderExpireMinutes: z
        .int()
        .min(5)
        .max(7 * 24 * 60),
      /** Order description WeChat shows the payer (≤ 127 chars); the store name is appended. */
      description: z.string().min(1).max(100),
      /** Largest amount one order may charge (fen). */
      maxOrderFen: fen.min(1),
      /** How often the reconciliation job runs (query unconfirmed orders and refunds, close expired ones); 0 = off. */
      reconcileEverySeconds: z.int().min(0).max(3600),
      /** An order (or refund) not confirmed by a notification this long after it started is queried at WeChat. */
      queryAfterSeconds: z.int().min(0).max(86400),
      /** A notification or response whose Wechatpay-Timestamp is further from our clock than this is refused. */
      signatureMaxSkewSeconds: z.int().min(30).max(3600),
      /**
       * No close call to WeChat this soon after an order is created (WeChat advises at least 5 minutes, or the
       * close may race the order's own state); a member's cancel before then is decided by a query.
       */
      closeNotBeforeSeconds: z.int().min(0).max(3600).default(300),
      /** Orders per page of the member's 我的订单 (app orders and till purchases together). */
      myOrdersPageSize: z.int().min(5).max(100).default(20),
    }),
    /**
     * The merchant's WeChat Pay credentials, or null when payment is not set up (pay endpoints then answer
     * PAY_NOT_CONFIGURED). Key material comes from files, never from the config JSON.
     */
    wechatPay: z
      .object({
        mchid: z.string().regex(/^\d{8,12}$/, 'must be the 8-12 digit merchant id'),
        /** Serial number of the merchant API certificate (signs our requests). */
        merchantSerialNo: z.string().regex(/^[0-9A-Fa-f]{8,40}$/),
        merchantPrivateKeyFile: z.string().min(1),
        apiV3Key: z.string().length(32, 'must be the 32-character APIv3 key'),
        /** WeChat Pay public-key mode: the key id (PUB_KEY_ID_…) and its PEM file. */
        publicKeyId: z
          .string()
          .regex(/^PUB_KEY_ID_\w+$/)
          .nullable(),
        publicKeyFile: z.string().min(1).nullable(),
        /**
         * Whether platform certificates are downloaded (/v3/certificates) to verify what WeChat signs with them.
         * Default: only without a public key. Set true with a public key during WeChat's migration window, when
         * notifications may still come signed with a certificate; public-key-only merchants never download.
         */
        platformCertificates: z.boolean().optional(),
        /** Where WeChat posts payment notifications (https in production, no query string). */
        notifyUrl: z.url({ protocol: /^https?$/ }),
        /** Where WeChat posts refund notifications. */
        refundNotifyUrl: z.url({ protocol: /^https?$/ }),
      })
      .refine((p) => (p.publicKeyId === null) === (p.publicKeyFile === null), 'publicKeyId and publicKeyFile go together')
      .nullable(),
    /** Subscription messages (订阅消息): the templates chosen in the MP console, and how the sender behaves. */
    messages: z.object({
      /** One one-time template per kind. `fields` fill the template's keys from variables: {"thing1": "{couponName}"}. */
      templates: z.record(
        z.enum(MESSAGE_KINDS as [MessageKind, ...MessageKind[]]),
        z.object({
          templateId: z.string().regex(/^[\w-]{8,64}$/, 'must be the template id from the MP console'),
          title: z.string().min(1).max(20),
          description: z.string().min(1).max(60),
          /** The mini-program page the message opens. */
          page: z.string().regex(/^pages\/[\w/-]+(\?.*)?$/, 'must be a page path such as pages/card/index'),
          fields: z.record(z.string().regex(/^[a-z_]+\d+$/), z.string().min(1).max(60)).superRefine((fields, ctx) => {
            // WeChat refuses some phrases its own rule allows, so a fixed phrase must be one we have tested.
            for (const [key, text] of Object.entries(fields)) {
              if (subscribeTypeOfKey(key) === 'phrase' && !text.includes('{') && !isSubscribePhrase(text)) {
                ctx.addIssue({
                  code: 'custom',
                  path: [key],
                  message: `"${text}" is not one of the tested phrases: ${SUBSCRIBE_PHRASES.join(' ')}`,
                });
              }
            }
          }),
        }),
      ),
      /** Which kinds the app asks for at each moment (at most 3 per requestSubscribeMessage call). */
      moments: z.record(
        z.enum(SUBSCRIBE_MOMENTS as [SubscribeMoment, ...SubscribeMoment[]]),
        z
          .array(z.enum(MESSAGE_KINDS as [MessageKind, ...MessageKind[]]))
          .min(1)
          .max(3),
      ),
      /** No sends between start and end, local time (messages wait until the end, they are not dropped). */
      quietHours: z.object({
        start: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM'),
        end: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM'),
      }),
      /** At most `maxMessages` sent to one member in any `perDays` days; further ones are skipped. */
      frequencyCap: z.object({ maxMessages: z.int().min(1).max(100), perDays: z.int().min(1).max(365) }),
      /** Sends per second, all instances together (each takes its share of every one-second slot). */
      sendRatePerSecond: z.int().min(1).max(10_000),
      /** WeChat calls one instance's sender keeps in flight. */
      sendParallelism: z.int().min(1).max(256),
      /** How often each instance's sender looks for due messages; 0 turns the sender off. */
      senderEverySeconds: z.number().min(0).max(3600),
      /** Retries of a send that failed for a passing reason (-1, 45009, 5xx, timeout), and the waits between them. */
      retryBackoffSeconds: z.array(z.int().min(1).max(86400)).min(1).max(10),
      /**
       * The coupon-expiry reminder: once a day from `runAtLocalTime`, for coupons whose last day is at most
       * `daysBefore` days away (once each).
       */
      couponExpiringReminder: z.object({
        daysBefore: z.int().min(1).max(30),
        runAtLocalTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24-hour clock) in the business time zone'),
      }),
      /** The app version messages open: formal in production, developer/trial while testing. */
      miniprogramState: z.enum(['developer', 'trial', 'formal']),
    }),
    /** Audiences (客户分层): the periodic RFM refresh and the audience preview marketing staff use. */
    segments: z.object({
      /** RFM frequency and monetary count the purchases of the last this many months (business calendar). */
      windowMonths: z.int().min(1).max(36),
      /** How often the RFM refresh runs (once per period across all instances); 0 = only when staff ask for it. */
      refreshEverySeconds: z
        .int()
        .min(0)
        .max(7 * 86400),
      /** Members shown (masked) with an audience preview; 0 shows none. */
      previewSampleSize: z.int().min(0).max(20),
      /** Fewer buyers in the window than this: nobody is ranked, buyers are 待分层 (unranked). */
      minimumScoredMembers: z.int().min(1).max(1_000_000),
      /** A buyer who joined within this many days is 新客 whatever the scores say; 0 turns this off. */
      newMemberDays: z.int().min(0).max(365),
      /** Score ranges → segment, first match wins (shared/src/rules/rfm.ts); every r/f/m combination must match one. */
      rules: z
        .array(
          z.object({
            segment: z.enum(SCORED_RFM_SEGMENTS as [ScoredRfmSegment, ...ScoredRfmSegment[]]),
            r: rfmScoreRange,
            f: rfmScoreRange,
            m: rfmScoreRange,
          }),
        )
        .min(1)
        .max(50)
        .superRefine((rules, ctx) => {
          const missing = uncoveredScoreCombinations(rules);
          if (missing.length > 0)
            ctx.addIssue({
              code: 'custom',
              message: `no rule matches ${missing
                .slice(0, 5)
                .map((s) => `r=${s.r} f=${s.f} m=${s.m}`)
                .join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}`,
            });
        }),
    }),
    campaigns: z.object({
      /** Member ids per issuance chunk (one short transaction each; the run's checkpoint moves with it). */
      chunkMemberIds: z.int().min(100).max(1_000_000),
      /** How often each instance looks for due runs and unfinished ones; 0 turns the scheduler off. */
      schedulerEverySeconds: z.int().min(0).max(3600),
      /** Recurring campaigns (birthday, reactivation, coupon expiry) run once a day from this local time. */
      recurringRunAtLocalTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24-hour clock) in the business time zone'),
    }),
    /** Service recovery (投诉与反馈) and manual points adjustments: deadlines, sizes and per-role limits. */
    feedback: z.object({
      /** The first response to a case is due this many minutes after it was raised, by channel. */
      firstResponseMinutes: z.object({ store: z.int().min(1).max(10080), online: z.int().min(1).max(10080) }),
      /** Category labels shown to members and staff, one per category code. */
      categories: z.object(
        Object.fromEntries(FEEDBACK_CATEGORIES.map((code) => [code, z.string().min(1).max(12)])) as Record<FeedbackCategory, z.ZodString>,
      ),
      maxTextChars: z.int().min(10).max(2000),
      maxPhotos: z.int().min(0).max(9),
      photoMaxBytes: z
        .int()
        .min(1024)
        .max(5 * 1024 * 1024),
      /** What one staff role may give as goodwill on one case: points, and a coupon's face value in fen. */
      goodwillLimits: z.object(
        Object.fromEntries(STAFF_ROLES.map((role) => [role, z.object({ maxPoints: z.int().min(0), maxCouponFaceFen: fen })])) as Record<
          StaffRole,
          z.ZodObject<{ maxPoints: z.ZodInt; maxCouponFaceFen: typeof fen }>
        >,
      ),
      /** An admin's manual points adjustment: at most this many points either way, per adjustment. */
      pointsAdjustmentMaxPoints: z.int().min(1).max(10_000_000),
      /** Cases per page of the staff queue and the member's list. */
      pageSize: z.int().min(5).max(200),
    }),
    /** Exports and member imports of the HQ console (issue 18). */
    dataTransfer: z.object({
      /** Largest member import file (CSV or XLSX) an admin may upload. */
      importMaxBytes: z
        .int()
        .min(1024)
        .max(200 * 1024 * 1024),
      /** Most rows one import file may hold. */
      importMaxRows: z.int().min(1).max(1_000_000),
      /** Rows committed per import transaction: the resume point moves by this many. */
      importChunkRows: z.int().min(1).max(10_000),
      /** An import worker that has not committed a chunk for this long is presumed dead; its import may be resumed. */
      importLeaseSeconds: z.int().min(5).max(3600),
      /** Rows read per keyset page while an export streams. */
      exportPageRows: z.int().min(100).max(50_000),
    }),
    /** The desktop console (/console): its sign-in QR code, scanned and confirmed in the staff mini-program. */
    consoleLogin: z.object({
      /** A QR code can be scanned and confirmed for this long after it is shown; then the console shows a new one. */
      ticketSeconds: z.int().min(30).max(3600),
      /** After the confirmation, the console has this long to collect its session (it polls every 1–2 s). */
      collectSeconds: z.int().min(5).max(600),
    }),
    /** Inviting staff from the console by a QR code the invitee scans (邀请员工): single use, revocable. */
    staffInvites: z.object({
      /** An invite can be accepted for this long after it is made; then it says 邀请已过期. */
      inviteSeconds: z
        .int()
        .min(60)
        .max(30 * 86400),
    }),
    /** Business rules HQ changes at run time from the console (设置), versioned; each instance re-reads them this often. */
    runtimeSettings: z.object({
      /** How long an instance keeps a setting it read: two instances agree within this many seconds of a change. */
      cacheSeconds: z.int().min(0).max(300),
    }),
    /** The console's member pages (会员查询 and a member's detail). */
    memberConsole: z.object({
      /** Rows per page of the search and of a member's messages and 操作记录 (keyset-paged). */
      pageSize: z.int().min(5).max(100),
      /** A nickname "contains" search reads at most this many member ids a request (no index can serve it). */
      containsScanIds: z.int().min(1000).max(10_000_000),
    }),
    privacy: z.object({ policyVersion: z.string().min(1).max(32) }),
    /** Staff accounts from config: a clerk and a store manager work at their stores; an admin (HQ) at every store. */
    staff: z.array(
      z.object({
        openid: z.string().min(1).max(64),
        role: z.enum(STAFF_ROLES as [StaffRole, ...StaffRole[]]),
        name: z.string().max(32).nullable(),
        stores: z.array(storeCode).max(100).default([]),
      }),
    ),
    /** What staff may do, and how guessing is stopped (issue 14). */
    staffAccess: z.object({
      /** A verified member code lets that clerk read the member for this long (then scan again). */
      memberGrantSeconds: z.int().min(30).max(86400),
      /** Identifying a member at the till hands the clerk a ticket for this long: the form outlives the 60 s code. */
      tillTicketSeconds: z.int().min(60).max(86400),
      /** Wrong member codes: more than `limit` in `windowSeconds` locks verification for `lockSeconds`. */
      memberCodeFailures: z.object({ perStaff: failureLimit, perMember: failureLimit }),
    }),
    /** Calls that make us call WeChat on a user's behalf (login, phone binding, order confirmation), per minute. */
    throttle: z.object({
      login: z.object({ perIpPerMinute: z.int().min(1).max(1_000_000) }),
      phone: z.object({ perMemberPerMinute: z.int().min(1).max(1_000_000), perIpPerMinute: z.int().min(1).max(1_000_000) }),
      payConfirm: z.object({ perMemberPerMinute: z.int().min(1).max(1_000_000), perIpPerMinute: z.int().min(1).max(1_000_000) }),
      /** The console's sign-in QR codes: each one is a row, and no session is needed to ask for one. */
      consoleLogin: z.object({ perIpPerMinute: z.int().min(1).max(1_000_000) }),
      /** How often counters whose window and block have both ended are deleted (0: never, on this instance). */
      sweepSeconds: z.int().min(0).max(86400),
    }),
    demo: z.object({
      /** Where the browser reaches the WeChat emulator's dev API (H5 demo/test only); null in production. */
      emulatorPublicUrl: baseUrl.nullable(),
    }),
    /** The daily metrics (server/src/metrics/README.md): snapshot schedule, definitions' windows and the playbooks' targets. */
    metrics: z.object({
      /** How often each instance's snapshot job may run (one instance per period); 0 turns it off there. */
      snapshotEverySeconds: z.int().min(0).max(86400),
      /** Points worth ¥1 (the liability in ¥ is outstanding points ÷ this). */
      pointsPerYuan: z.int().min(1).max(100_000),
      /** A member is active with a purchase in this many days up to the day's end. */
      activeWindowDays: z.int().min(1).max(3650),
      /** The repurchase rate looks back this many days (rolling, ending with the day). */
      repurchaseWindowDays: z.int().min(1).max(365),
      /** A campaign's revenue counts this many days from the run's start (treated vs holdout). */
      campaignWindowDays: z.int().min(1).max(365),
      /** Targets the dashboard colours against, per-mille. */
      targets: z.object({ pointsRedemptionPermille: z.int().min(0).max(1000), messageReachPermille: z.int().min(0).max(1000) }),
      /** Longest range the dashboard answers in one request. */
      maxRangeDays: z.int().min(1).max(3660),
    }),
  })
  .superRefine((config, ctx) => {
    for (const tier of config.tiers) {
      if (!config.brand.tierCards[tier.code])
        ctx.addIssue({ code: 'custom', path: ['brand', 'tierCards', tier.code], message: `tier ${tier.code} needs its card art` });
    }
    const known = new Set(config.stores.map((store) => store.code));
    if (known.size !== config.stores.length) ctx.addIssue({ code: 'custom', path: ['stores'], message: 'store codes must be unique' });
    // Codes are exact everywhere (a filter for s001 finds nothing of S001's), so two that differ only in case would
    // be two stores to the database that no clerk or manager could tell apart when reading or typing them.
    else if (new Set(config.stores.map((store) => store.code.toUpperCase())).size !== config.stores.length)
      ctx.addIssue({ code: 'custom', path: ['stores'], message: 'store codes must differ by more than case (S001 and s001)' });
    config.staff.forEach((entry, index) => {
      for (const code of entry.stores) {
        if (!known.has(code))
          ctx.addIssue({
            code: 'custom',
            path: ['staff', index, 'stores'],
            message: `unknown store ${code}: must be one of stores[].code`,
          });
      }
      if (entry.role !== 'admin' && entry.stores.length === 0)
        ctx.addIssue({
          code: 'custom',
          path: ['staff', index, 'stores'],
          message: `a ${entry.role} needs at least one store (STAFF=openid:role:name:S001|S002)`,
        });
    });
  });

export type AppConfig = z.infer<typeof configSchema>;
export type TierConfig = AppConfig['tiers'][number];
export type BrandConfig = AppConfig['brand'];
