import { PayOrderStatus, type CreatePayOrderRequest, type CreatePayRefundRequest } from '@member/shared';
import { z } from 'zod';
import { decimalInt, idField, idParam, plainText, storeCode } from '../../common/validation';

const fen = z.int().min(1).max(100_000_000);
const key = z.string().regex(/^[\w-]{8,64}$/, 'must be 8-64 letters, digits, _ or -');

export const checkoutQuery = z.strictObject({ amountFen: decimalInt(1, 100_000_000), storeCode });

export const createOrderBody = z.strictObject({
  amountFen: fen,
  storeCode,
  couponId: idField.optional(),
  pointsToBurn: z.int().min(0).max(100_000_000).optional(),
  idempotencyKey: key,
}) satisfies z.ZodType<CreatePayOrderRequest, unknown>;

/** WeChat's out_trade_no / out_refund_no alphabet. */
export const outTradeNoParam = z.string().regex(/^[0-9A-Za-z_\-|*]{6,32}$/, 'must be an order number');

export const orderQuery = z.strictObject({ confirm: z.enum(['0', '1']).optional() });

export const refundBody = z.strictObject({
  amountFen: fen,
  // Sent to WeChat as out_refund_no: 1-64 of [0-9A-Za-z_-|*@].
  outRefundNo: z.string().regex(/^[0-9A-Za-z_\-|*@]{1,64}$/, 'must be 1-64 letters, digits or _-|*@'),
  reason: plainText(1, 80).optional(),
}) satisfies z.ZodType<CreatePayRefundRequest, unknown>;

export const staffOrdersQuery = z.strictObject({
  status: z.enum(Object.values(PayOrderStatus) as [PayOrderStatus, ...PayOrderStatus[]]).optional(),
  before: idParam.optional(),
});

/** GET /api/my-orders?cursor= — the cursor is the one the previous page answered. */
export const myOrdersQuery = z.strictObject({
  cursor: z
    .string()
    .regex(/^\d{1,15}\.[AS]\.\d{1,10}$/, 'must be a cursor from the previous page')
    .optional(),
});

/** "A<out_trade_no>" (an app order) or "S<purchase id>" (a till purchase). */
export const myOrderRef = z.string().regex(/^(A[0-9A-Za-z_\-|*]{6,32}|S\d{1,10})$/, 'must be an order reference');
