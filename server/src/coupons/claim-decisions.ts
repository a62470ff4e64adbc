import type { AppConfig } from '@member/config';
import type { ClaimBlockReason } from '@member/shared';
import { claimBlockReason, type ClaimSituation } from './coupon-rules';
import type { ClaimProfile } from '../members/members.repository';
import type { Coupon } from './coupon.entity';
import type { NewCoupon } from './coupon-issuer';

/** Why a tap got no coupon: a claim rule, or something only the flush can see. */
export type ClaimRefusal =
  ClaimBlockReason | 'IDEMPOTENCY_KEY_REUSED' | 'MEMBER_NOT_FOUND' | 'COUPON_TEMPLATE_NOT_FOUND' | 'SESSION_REVOKED';

export type Decision =
  { kind: 'claimed'; coupon: NewCoupon } | { kind: 'replay'; coupon: Coupon } | { kind: 'refused'; code: ClaimRefusal };

export interface Tap {
  memberId: number;
  idempotencyKey: string;
}

/** Everything a flush read under the template row's lock, in one snapshot. */
export interface FlushSnapshot {
  templateId: number;
  /** The template as locked: counters and status from the row, the fixed fields (window, audience, limit) from the template. */
  template: ClaimSituation['template'];
  /** The batch's members (absent: no such member; `deleted`: the account was deleted, 注销). */
  members: Map<number, ClaimProfile>;
  /** Each batch member's coupons of this template: how many, and the highest seq taken. */
  held: Map<number, { count: number; topSeq: number }>;
  /** The coupons the batch's (member, key) pairs already made, on any template, by `pairOf`. */
  existing: Map<string, Coupon>;
  now: Date;
  validFrom: Date;
  validUntil: Date;
  config: Pick<AppConfig, 'tiers' | 'coupons'>;
  /** A fresh coupon code (random: the decisions are pure but for this). */
  newCode: () => string;
}

export function pairOf(memberId: number, idempotencyKey: string): string {
  return `${memberId}\u0000${idempotencyKey}`;
}

/**
 * One flush's decisions, a pure function of what it read (design.md: the rules return actions, the service
 * applies them). Taps are judged in arrival order, so stock goes first come first served: a deleted account →
 * SESSION_REVOKED; the same key twice → one answer; a key this member already used → its coupon back, or
 * IDEMPOTENCY_KEY_REUSED when that coupon is of another template (before any rule, as a retried tap must get
 * its coupon even at the limit); then the claim rules against the locked row with what this flush has given so
 * far. `fresh` is what to insert, in order.
 */
export function decideFlush(taps: readonly Tap[], snapshot: FlushSnapshot): { decisions: Decision[]; fresh: NewCoupon[] } {
  const byPair = new Map<string, Decision>();
  const held = new Map([...snapshot.held].map(([memberId, h]) => [memberId, { ...h }]));
  const fresh: NewCoupon[] = [];
  const decisions = taps.map((tap): Decision => {
    const pair = pairOf(tap.memberId, tap.idempotencyKey);
    const known = byPair.get(pair);
    if (known) return known;
    const decision = decideTap(tap, snapshot, held, fresh.length);
    if (decision.kind === 'claimed') fresh.push(decision.coupon);
    byPair.set(pair, decision);
    return decision;
  });
  return { decisions, fresh };
}

function decideTap(
  tap: Tap,
  snapshot: FlushSnapshot,
  held: Map<number, { count: number; topSeq: number }>,
  givenThisFlush: number,
): Decision {
  const member = snapshot.members.get(tap.memberId);
  // Before everything, a retry included: the claim route's session is checked here (MemberAuthGuard leaves it to
  // the flush, which reads the member anyway), and a deleted account neither claims nor sees its coupons.
  if (member?.deleted) return { kind: 'refused', code: 'SESSION_REVOKED' };
  const existing = snapshot.existing.get(pairOf(tap.memberId, tap.idempotencyKey));
  if (existing)
    return existing.templateId === snapshot.templateId
      ? { kind: 'replay', coupon: existing }
      : { kind: 'refused', code: 'IDEMPOTENCY_KEY_REUSED' };
  if (!member) return { kind: 'refused', code: 'MEMBER_NOT_FOUND' };
  const mine = held.get(tap.memberId) ?? { count: 0, topSeq: 0 };
  const blocked = claimBlockReason({
    now: snapshot.now,
    template: { ...snapshot.template, claimedCount: snapshot.template.claimedCount + givenThisFlush },
    member,
    claimedByMe: mine.count,
    config: snapshot.config,
  });
  if (blocked) return { kind: 'refused', code: blocked };
  mine.count++;
  mine.topSeq++;
  held.set(tap.memberId, mine);
  return {
    kind: 'claimed',
    coupon: {
      templateId: snapshot.templateId,
      memberId: tap.memberId,
      seq: mine.topSeq,
      code: snapshot.newCode(),
      validFrom: snapshot.validFrom,
      validUntil: snapshot.validUntil,
      idempotencyKey: tap.idempotencyKey,
      claimedAt: snapshot.now,
    },
  };
}
