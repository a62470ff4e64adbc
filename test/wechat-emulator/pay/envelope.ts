// The notification envelope WeChat Pay POSTs, as plain functions: the emulator sends it, and tests and the
// benchmark build their own (forged, stale, replayed, many) with the same code.
import { aesGcmEncrypt, beijingTime, nonceStr, rsaSign, SIGNATURE_TYPE } from './crypto';
import { newEventId } from './ids';

export interface EnvelopeEvent {
  eventType: 'TRANSACTION.SUCCESS' | 'REFUND.SUCCESS' | 'REFUND.ABNORMAL' | 'REFUND.CLOSED' | string;
  summary: string;
  /** 'transaction' or 'refund': both resource.original_type and the AEAD associated data. */
  originalType: 'transaction' | 'refund';
  plaintext: object;
}

/** The JSON body: `{id, create_time, event_type, resource: {AEAD_AES_256_GCM ciphertext …}}`. */
export function notificationEnvelope(
  apiV3Key: string,
  event: EnvelopeEvent,
  nowMs: number,
  id = newEventId(nowMs),
): { id: string; body: string } {
  const { nonce, ciphertext } = aesGcmEncrypt(apiV3Key, JSON.stringify(event.plaintext), event.originalType);
  const body = JSON.stringify({
    id,
    create_time: beijingTime(nowMs),
    resource_type: 'encrypt-resource',
    event_type: event.eventType,
    summary: event.summary,
    resource: { original_type: event.originalType, algorithm: 'AEAD_AES_256_GCM', ciphertext, associated_data: event.originalType, nonce },
  });
  return { id, body };
}

/** The Wechatpay-* headers over `timestamp\nnonce\nbody\n`, signed with a platform key known by `serial`. */
export function platformSignature(privateKeyPem: string, serial: string, body: string, timestampSeconds: number): Record<string, string> {
  const timestamp = String(timestampSeconds);
  const nonce = nonceStr(32);
  return {
    'Wechatpay-Timestamp': timestamp,
    'Wechatpay-Nonce': nonce,
    'Wechatpay-Signature': rsaSign(privateKeyPem, `${timestamp}\n${nonce}\n${body}\n`),
    'Wechatpay-Serial': serial,
    'Wechatpay-Signature-Type': SIGNATURE_TYPE,
  };
}

/** A successful JSAPI transaction as WeChat reports it (the decrypted resource of TRANSACTION.SUCCESS). */
export function successfulTransaction(t: {
  appid: string;
  mchid: string;
  outTradeNo: string;
  openid: string;
  totalFen: number;
  nowMs: number;
  transactionId: string;
}): Record<string, unknown> {
  return {
    appid: t.appid,
    mchid: t.mchid,
    out_trade_no: t.outTradeNo,
    transaction_id: t.transactionId,
    trade_type: 'JSAPI',
    trade_state: 'SUCCESS',
    trade_state_desc: '支付成功',
    bank_type: 'OTHERS',
    attach: '',
    success_time: beijingTime(t.nowMs),
    payer: { openid: t.openid },
    amount: { total: t.totalFen, payer_total: t.totalFen, currency: 'CNY', payer_currency: 'CNY' },
  };
}
