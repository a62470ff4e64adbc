// What the emulated WeChat Pay remembers: merchants and platform keys (configuration), orders, prepay ids,
// refunds and notifications (state), and the real-time timers that deliver notifications and settle refunds.
// Public on purpose, like EmulatorState: tests may read it directly.
import { createPrivateKey, createPublicKey } from 'node:crypto';
import type { Clock } from '../clock';

export interface PayMerchantConfig {
  mchid: string;
  /** Apps bound to this merchant (APPID_MCHID_NOT_MATCH for others). */
  appids: string[];
  /** 32 ASCII characters. */
  apiV3Key: string;
  /** Serial of the merchant API certificate: the `serial_no` of every Authorization header. */
  serialNo: string;
  /** Verifies the merchant's request signatures and paySign. */
  publicKeyPem: string;
}

export interface PayPlatformConfig {
  /** `PUB_KEY_ID_…`: Wechatpay-Serial in public-key mode. */
  publicKeyId: string;
  publicKeyPem: string;
  privateKeyPem: string;
  /** Wechatpay-Serial in certificate mode, and serial_no in GET /v3/certificates. */
  certSerialNo: string;
  certPem: string;
  certPrivateKeyPem: string;
}

/**
 * Which platform identity the merchant has at WeChat. 'publicKey': answers are signed with the public key when
 * the request names it in Wechatpay-Serial (else with the certificate), notifications with the public key.
 * 'certificate': a merchant without a public key, everything signed with the certificate. 'mixed': the ~7-day
 * migration window, answers as for 'publicKey' but notifications alternate between the two serials.
 */
export type SignWith = 'publicKey' | 'certificate' | 'mixed';

export interface PayOptions {
  merchants: PayMerchantConfig[];
  platform: PayPlatformConfig;
  /** Which platform key signs responses and notifications. Default 'publicKey'. */
  signWith?: SignWith;
  /** Multiplies WeChat's notification retry intervals (15 s … 6 h); tests use e.g. 0.001. Default 1. */
  notifyRetryScale?: number;
  /** How long the merchant's server has to answer a notification. Default 5000 (WeChat's 5 s). */
  notifyTimeoutMs?: number;
  /** Real ms after which a PROCESSING refund turns SUCCESS. Default 1000. */
  refundSettleMs?: number;
  /** Refunds of one order must be this far apart (emulator clock), else 429 FREQUENCY_LIMITED. Default 60000 (WeChat's 1 minute). */
  refundSpacingMs?: number;
}

export interface PaySettings {
  /** 'drop' records notifications without sending them, to test recovery by query. */
  notify: 'send' | 'drop';
  signWith: SignWith;
  notifyRetryScale: number;
  notifyTimeoutMs: number;
  refundSettleMs: number;
  refundSpacingMs: number;
}

/** USERPAYING: the member is in the cashier (entering the password); WeChat then answers a close with 202. */
export type TradeState = 'NOTPAY' | 'USERPAYING' | 'SUCCESS' | 'CLOSED' | 'REFUND';

export interface PayOrder {
  mchid: string;
  appid: string;
  out_trade_no: string;
  description: string;
  attach?: string;
  notify_url: string;
  time_expire?: string;
  amount: { total: number; currency: string };
  payer: { openid: string };
  /** The order request with sorted keys: a repeat with the same out_trade_no must match it exactly. */
  request: string;
  /** Emulator-clock ms. */
  createdAt: number;
  /** Last moment it can be paid: time_expire, else WeChat's default of 7 days after creation. */
  payableUntil: number;
  prepay_id: string;
  prepayIssuedAt: number;
  trade_state: TradeState;
  transaction_id?: string;
  /** Emulator-clock ms of payment, and the same as WeChat writes it. */
  paidAt?: number;
  success_time?: string;
  bank_type?: string;
  closedAt?: number;
}

export type RefundStatus = 'PROCESSING' | 'SUCCESS';

export interface PayRefund {
  mchid: string;
  refund_id: string;
  out_refund_no: string;
  transaction_id: string;
  out_trade_no: string;
  reason?: string;
  notify_url?: string;
  amount: { refund: number; total: number; currency: string };
  status: RefundStatus;
  createdAt: number;
  create_time: string;
  success_time?: string;
}

export interface NotificationAttempt {
  /** Emulator-clock ms when it was sent. */
  at: number;
  /** The HTTP status the merchant's server answered, if it answered. */
  status?: number;
  /** Why there was no status: timeout, connection refused… */
  error?: string;
}

export interface PayNotification {
  id: string;
  mchid: string;
  eventType: 'TRANSACTION.SUCCESS' | 'REFUND.SUCCESS';
  outTradeNo: string;
  outRefundNo?: string;
  url: string;
  /** Headers of the latest attempt: each attempt is signed afresh, the body never changes. */
  headers: Record<string, string>;
  /** The exact raw body sent. */
  body: string;
  /** 0, 1, 2… in the order notifications were made ('mixed' signing alternates on it). */
  sequence: number;
  attempts: NotificationAttempt[];
  delivered: boolean;
}

export const PREPAY_TTL_MS = 2 * 3_600_000;
export const DEFAULT_PAYABLE_MS = 7 * 86_400_000;

function checkConfig(options: PayOptions): void {
  if (!Array.isArray(options.merchants) || options.merchants.length === 0) throw new Error('pay.merchants must list at least one merchant');
  for (const m of options.merchants) {
    if (typeof m.mchid !== 'string' || !/^\d{1,32}$/.test(m.mchid))
      throw new Error(`pay merchant mchid must be digits, got ${String(m.mchid)}`);
    if (typeof m.apiV3Key !== 'string' || Buffer.byteLength(m.apiV3Key) !== 32)
      throw new Error(`pay merchant ${m.mchid}: apiV3Key must be 32 bytes`);
    if (!Array.isArray(m.appids)) throw new Error(`pay merchant ${m.mchid}: appids must be an array`);
    if (typeof m.serialNo !== 'string' || m.serialNo === '') throw new Error(`pay merchant ${m.mchid}: serialNo is required`);
    createPublicKey(m.publicKeyPem);
  }
  const p = options.platform;
  if (!p || !p.publicKeyId || !p.certSerialNo || !p.certPem) throw new Error('pay.platform needs publicKeyId, certSerialNo and certPem');
  createPublicKey(p.publicKeyPem);
  createPrivateKey(p.privateKeyPem);
  createPrivateKey(p.certPrivateKeyPem);
}

export class PayState {
  readonly merchants = new Map<string, PayMerchantConfig>();
  readonly platform?: PayPlatformConfig;
  settings!: PaySettings;
  /** `${mchid} ${out_trade_no}` → order. */
  readonly orders = new Map<string, PayOrder>();
  /** prepay_id → key of its order. */
  readonly prepays = new Map<string, string>();
  /** `${mchid} ${out_refund_no}` → refund. */
  readonly refunds = new Map<string, PayRefund>();
  readonly notifications: PayNotification[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private abort = new AbortController();
  /** Bumped by reset, so work started before it (a delivery in flight) doesn't schedule more. */
  private generation = 0;

  constructor(
    private readonly options: PayOptions | undefined,
    readonly clock: Clock,
    readonly log?: (line: string) => void,
  ) {
    if (options) {
      checkConfig(options);
      for (const m of options.merchants) this.merchants.set(m.mchid, m);
      this.platform = options.platform;
    }
    this.reset();
  }

  get configured(): boolean {
    return this.platform !== undefined;
  }

  /** Aborted by reset() and stop(): in-flight notification requests end with it. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** Forget orders, refunds and notifications, cancel timers and deliveries, restore the configured settings. */
  reset(): void {
    this.stop();
    for (const map of [this.orders, this.prepays, this.refunds]) map.clear();
    this.notifications.length = 0;
    const o = this.options;
    this.settings = {
      notify: 'send',
      signWith: o?.signWith ?? 'publicKey',
      notifyRetryScale: o?.notifyRetryScale ?? 1,
      notifyTimeoutMs: o?.notifyTimeoutMs ?? 5000,
      refundSettleMs: o?.refundSettleMs ?? 1000,
      refundSpacingMs: o?.refundSpacingMs ?? 60_000,
    };
  }

  /** Cancel every timer and in-flight delivery (close() calls this); state stays readable. */
  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.abort.abort();
    this.abort = new AbortController();
    this.generation++;
  }

  /**
   * Run `fn` after `ms` real milliseconds unless reset/stop comes first. Timers are unref'd: a pending
   * 6-hour retry must not keep a test process alive (the CLI is kept alive by its server anyway).
   */
  later(ms: number, fn: () => void | Promise<void>): void {
    const generation = this.generation;
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        if (generation !== this.generation) return;
        Promise.resolve()
          .then(fn)
          .catch((err: unknown) => this.log?.(`pay timer failed: ${err instanceof Error ? err.message : String(err)}`));
      },
      Math.max(0, ms),
    );
    timer.unref();
    this.timers.add(timer);
  }

  /** Changes on every reset/stop: work started under an older value must not schedule more. */
  get currentGeneration(): number {
    return this.generation;
  }

  order(mchid: string, outTradeNo: string): PayOrder | undefined {
    return this.orders.get(`${mchid} ${outTradeNo}`);
  }

  orderByTransactionId(mchid: string, transactionId: string): PayOrder | undefined {
    for (const order of this.orders.values()) {
      if (order.mchid === mchid && order.transaction_id === transactionId) return order;
    }
    return undefined;
  }

  refundsOf(order: PayOrder): PayRefund[] {
    return [...this.refunds.values()].filter((r) => r.mchid === order.mchid && r.out_trade_no === order.out_trade_no);
  }

  /**
   * The key that signs an API answer. WeChat signs with the public key only when the request carries its id in
   * Wechatpay-Serial; without it (or with anything else) the answer is signed with the platform certificate.
   */
  answerSigner(requestSerial: string | undefined): { serial: string; privateKeyPem: string } | undefined {
    const p = this.platform;
    if (!p) return undefined;
    const publicKey = this.settings.signWith !== 'certificate' && requestSerial === p.publicKeyId;
    return publicKey
      ? { serial: p.publicKeyId, privateKeyPem: p.privateKeyPem }
      : { serial: p.certSerialNo, privateKeyPem: p.certPrivateKeyPem };
  }

  /** The key that signs a notification: per settings.signWith; 'mixed' alternates notification by notification. */
  notificationSigner(n: { sequence: number }): { serial: string; privateKeyPem: string } | undefined {
    const p = this.platform;
    if (!p) return undefined;
    const certificate = this.settings.signWith === 'certificate' || (this.settings.signWith === 'mixed' && n.sequence % 2 === 1);
    return certificate
      ? { serial: p.certSerialNo, privateKeyPem: p.certPrivateKeyPem }
      : { serial: p.publicKeyId, privateKeyPem: p.privateKeyPem };
  }

  /** Refunds already taken for an order, newest last (for the 1-minute spacing). */
  lastRefundAt(order: PayOrder): number | undefined {
    const times = this.refundsOf(order).map((r) => r.createdAt);
    return times.length ? Math.max(...times) : undefined;
  }
}
