import type { AppConfig } from '@member/config';
import { API_PREFIX, isFeedbackOverdue, type FeedbackCaseSummary, type FeedbackCaseView, type GoodwillView } from '@member/shared';
import { In, type EntityManager } from 'typeorm';
import { couponsRepository } from '../coupons/coupons.repository';
import { FeedbackCase, FeedbackMessage, FeedbackPhoto, GoodwillGrant } from './feedback.entities';

export const FEEDBACK_PHOTO_PATH = `${API_PREFIX}/media/feedback`;

export function photoUrl(sha256: string): string {
  return `${FEEDBACK_PHOTO_PATH}/${sha256}`;
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function toSummary(row: FeedbackCase, config: AppConfig, now: Date, goodwill: GoodwillView | null): FeedbackCaseSummary {
  return {
    id: row.id,
    memberId: row.memberId,
    kind: row.kind,
    category: row.category,
    categoryLabel: config.feedback.categories[row.category] ?? row.category,
    channel: row.channel,
    storeCode: row.storeCode,
    orderRef: row.orderRef,
    text: row.text,
    status: row.status,
    createdAt: row.createdAt.toISOString(),
    dueAt: row.dueAt.toISOString(),
    firstResponseAt: iso(row.firstResponseAt),
    resolvedAt: iso(row.resolvedAt),
    overdue: isFeedbackOverdue(row, now),
    resolution: row.resolution,
    goodwill,
    rating: row.rating,
    ratingComment: row.ratingComment,
  };
}

/** The goodwill of each case (at most one per case), with the coupon's name. */
export async function goodwillOf(em: EntityManager, caseIds: readonly number[]): Promise<Map<number, GoodwillView>> {
  const found = new Map<number, GoodwillView>();
  if (caseIds.length === 0) return found;
  const grants = await em.find(GoodwillGrant, { where: { caseId: In([...caseIds]) } });
  const templates = await couponsRepository.findTemplates(
    em,
    grants.flatMap((g) => (g.templateId ? [g.templateId] : [])),
  );
  for (const grant of grants) {
    found.set(grant.caseId!, {
      kind: grant.kind,
      points: grant.points,
      couponId: grant.couponId,
      couponName: grant.templateId ? (templates.get(grant.templateId)?.name ?? null) : null,
      faceFen: grant.faceFen,
      reason: grant.reason,
      at: grant.createdAt.toISOString(),
    });
  }
  return found;
}

/** The whole case: summary, photos and the conversation. */
export async function toCaseView(em: EntityManager, row: FeedbackCase, config: AppConfig, now: Date): Promise<FeedbackCaseView> {
  const [goodwill, photos, messages] = await Promise.all([
    goodwillOf(em, [row.id]),
    em.find(FeedbackPhoto, { where: { caseId: row.id }, order: { id: 'ASC' }, select: { id: true, sha256: true } }),
    em.find(FeedbackMessage, { where: { caseId: row.id }, order: { id: 'ASC' } }),
  ]);
  return {
    ...toSummary(row, config, now, goodwill.get(row.id) ?? null),
    photoUrls: photos.map((photo) => photoUrl(photo.sha256)),
    messages: messages.map((m) => ({ id: m.id, author: m.author, body: m.body, at: m.createdAt.toISOString() })),
  };
}
