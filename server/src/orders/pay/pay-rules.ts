import { randomBytes } from 'node:crypto';
import type { AppConfig } from '@member/config';
import type { CreatePayOrderRequest } from '@member/shared';
import { Injectable } from '@nestjs/common';
import { InjectConfig } from '../../common/app-config';
import { DomainError } from '../../common/domain-error';
import { requestHash } from '../../common/request-hash';
import { WechatPayClient, type WechatTransaction } from './wechat-pay.client';

/** An order whose prepay never came back (a crash or failure between our insert and WeChat's answer). */
export const PREPAY_LOST_AFTER_MS = 60_000;
/** How long WeChat keeps a prepay_id; a resumed order older than this (less a margin) is asked again. */
export const PREPAY_TTL_MS = 2 * 3600_000;
export const PREPAY_RENEW_MARGIN_MS = 5 * 60_000;
/** Trade states in which nothing can be paid any more. */
export const FINISHED_UNPAID = new Set<WechatTransaction['trade_state']>(['CLOSED', 'REVOKED', 'PAYERROR']);

/** What every pay use case checks the same way: the store, the amount, the burn rule, that pay is set up. */
@Injectable()
export class PayRules {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly wechatPay: WechatPayClient,
  ) {}

  store(code: string): AppConfig['stores'][number] {
    const store = this.config.stores.find((s) => s.code === code);
    if (!store) throw new DomainError('PAY_STORE_UNKNOWN');
    return store;
  }

  checkAmount(amountFen: number): void {
    if (!Number.isSafeInteger(amountFen) || amountFen < 1 || amountFen > this.config.payment.maxOrderFen)
      throw new DomainError('PAY_AMOUNT_INVALID');
  }

  burnRule() {
    return { minPoints: this.config.points.minBurnPoints, maxPermilleOfOrder: this.config.points.maxBurnPermilleOfOrder };
  }

  /**
   * What WeChat is asked for this order's prepay. A resumed order asks again with exactly these parameters: WeChat
   * answers a repeated out_trade_no only when every parameter matches (then a prepay_id for the same order).
   */
  prepayRequest(order: { outTradeNo: string; storeCode: string; payableFen: number; openid: string; expiresAt: Date }) {
    return {
      outTradeNo: order.outTradeNo,
      // WeChat's limit is 127 UTF-8 bytes (the client cuts it there, between characters).
      description: `${this.config.payment.description}-${this.store(order.storeCode).name}`,
      totalFen: order.payableFen,
      openid: order.openid,
      expiresAt: order.expiresAt,
    };
  }

  requireConfigured(): void {
    if (!this.wechatPay.configured) throw new DomainError('PAY_NOT_CONFIGURED');
  }
}

/** "P" + Beijing yyyyMMddHHmmss + 12 random hex: 27 characters, unique, sortable by time, nothing guessable. */
export function newOutTradeNo(now: Date): string {
  const beijing = new Date(now.getTime() + 8 * 3600_000).toISOString().replace(/\D/g, '').slice(0, 14);
  return `P${beijing}${randomBytes(6).toString('hex')}`;
}

/** What a checkout asks for; the member is part of the key itself. */
export function checkoutHash(request: CreatePayOrderRequest): string {
  return requestHash({
    amountFen: request.amountFen,
    storeCode: request.storeCode,
    couponId: request.couponId ?? null,
    pointsToBurn: request.pointsToBurn ?? 0,
  });
}

export function parseWechatTime(text: string | undefined): Date | null {
  if (!text) return null;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? null : date;
}
