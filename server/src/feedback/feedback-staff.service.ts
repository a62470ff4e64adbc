import type { AppConfig } from '@member/config';
import {
  compareFeedbackQueue,
  couponFaceFen,
  type GoodwillOptions,
  MessageKind,
  FeedbackChannel,
  FeedbackStatus,
  GoodwillKind,
  type FeedbackCaseView,
  type FeedbackListResponse,
  type ResolveFeedbackRequest,
  type StaffCreateFeedbackRequest,
} from '@member/shared';
import { Injectable, Logger } from '@nestjs/common';
import { DateTime } from 'luxon';
import { MessagesService } from '../messages/messages.service';
import { TemplatesService } from '../coupons/templates.service';
import { DataSource, type EntityManager } from 'typeorm';
import type { StaffAccount } from '../auth/staff.service';
import { StoresService } from '../auth/stores.service';
import { TillTicketsService } from '../auth/till-tickets.service';
import { InjectConfig } from '../common/app-config';
import { RuntimeSettings } from '../settings/runtime-settings.service';
import { Clock } from '../common/clock';
import { couponValidity } from '../coupons/coupon-rules';
import { DomainError } from '../common/domain-error';
import { execute, sqlDate } from '../database/dialect';
import { isUniqueViolation, TransactionRunner } from '../database/transaction-runner';
import { FeedbackCase, FeedbackMessage, GoodwillGrant } from './feedback.entities';
import { FeedbackService } from './feedback.service';
import { goodwillOf, toSummary } from './feedback.views';
import { GoodwillService, type GrantNotice } from './goodwill.service';

/**
 * Staff's side of service recovery: the queue (clerks and store managers: their stores' cases; HQ admins: all,
 * online cases about no store included), overdue first; replies; the resolution with goodwill; and a case a
 * clerk logs at the till for the member the till ticket identifies. Another store's case is STORE_NOT_YOURS.
 *
 * Each reply and resolution is a message row with the request's idempotency key, unique per case: a retried
 * request (even two at once) finds its own row and answers the case as it is, never replying or giving twice.
 */
@Injectable()
export class FeedbackStaffService {
  private readonly logger = new Logger(FeedbackStaffService.name);

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly clock: Clock,
    private readonly stores: StoresService,
    private readonly tickets: TillTicketsService,
    private readonly feedback: FeedbackService,
    private readonly goodwill: GoodwillService,
    private readonly messages: MessagesService,
    private readonly templates: TemplatesService,
    private readonly settings: RuntimeSettings,
  ) {}

  /** Not yet resolved cases this account sees (or all of them with `include: 'all'`), in queue order. */
  /**
   * The cases this account sees. The queue (default): waiting ones first, then answered ones not yet resolved,
   * each read oldest-due first from the database (the index on status, due_at), so a page never fills with
   * answered cases while a waiting one is left out; the pure rule then puts overdue ones on top. `all`: newest first.
   */
  async queue(staff: StaffAccount, filter: { storeCode?: string; include?: 'open' | 'all' }): Promise<FeedbackListResponse> {
    if (filter.storeCode !== undefined) this.stores.assertWorksAt(staff, filter.storeCode);
    const visible = this.stores.visibleStores(staff);
    if (filter.storeCode === undefined && visible !== null && visible.length === 0) return { cases: [] };
    const size = this.config.feedback.pageSize;
    const scoped = () => {
      const query = this.dataSource.getRepository(FeedbackCase).createQueryBuilder('c').where('1 = 1');
      if (filter.storeCode !== undefined) query.andWhere('c.store_code = :store', { store: filter.storeCode });
      else if (visible !== null) query.andWhere('c.store_code IN (:...visible)', { visible });
      return query;
    };
    const byDue = (status: FeedbackStatus, take: number) =>
      scoped().andWhere('c.status = :status', { status }).orderBy('c.due_at', 'ASC').addOrderBy('c.id', 'ASC').take(take).getMany();
    const now = this.clock.now();
    let rows: FeedbackCase[];
    if (filter.include === 'all') rows = await scoped().orderBy('c.id', 'DESC').take(size).getMany();
    else {
      const waiting = await byDue(FeedbackStatus.Open, size);
      rows = waiting.length < size ? [...waiting, ...(await byDue(FeedbackStatus.Responded, size - waiting.length))] : waiting;
      rows.sort((a, b) => compareFeedbackQueue(a, b, now));
    }
    const goodwill = await goodwillOf(
      this.dataSource.manager,
      rows.map((r) => r.id),
    );
    return { cases: rows.map((row) => toSummary(row, this.config, now, goodwill.get(row.id) ?? null)) };
  }

  async get(staff: StaffAccount, caseId: number): Promise<FeedbackCaseView> {
    const row = await this.visible(staff, caseId);
    return this.feedback.view(this.dataSource.manager, row.id);
  }

  /** What this account may give on one case: its role's limits and the coupons within them. */
  async goodwillOptions(staff: StaffAccount): Promise<GoodwillOptions> {
    const limit = (await this.settings.get('feedback.goodwillLimits'))[staff.role];
    const now = this.clock.now();
    const zone = this.config.businessCalendar.timeZone;
    const templates = await this.templates.list();
    const coupons = templates
      .filter((t) => t.status === 'active' && t.totalStock > t.claimedCount && t.pointsPrice === null)
      // Not a fixed-dates template whose validity has ended: its coupon would arrive expired.
      .filter((t) => t.validity.type === 'relative' || couponValidity(t.validity, now, zone).validUntil.getTime() > now.getTime())
      .map((t) => ({ templateId: t.id, name: t.name, faceFen: couponFaceFen(t.terms), remaining: t.totalStock - t.claimedCount }))
      .filter((c) => Number.isFinite(c.faceFen) && c.faceFen <= limit.maxCouponFaceFen);
    return { maxPoints: limit.maxPoints, maxCouponFaceFen: limit.maxCouponFaceFen, coupons };
  }

  /** A clerk logs a case at the till for the identified member (channel store, the clerk's store). */
  async createAtTill(staff: StaffAccount, request: StaffCreateFeedbackRequest): Promise<FeedbackCaseView> {
    const identified = this.tickets.memberOf(staff, request.tillTicket, null);
    const storeCode = await this.stores.storeFor(staff, request.storeCode ?? identified.storeCode ?? undefined);
    const { memberId } = this.tickets.memberOf(staff, request.tillTicket, storeCode);
    const { kind, category, orderRef, text, idempotencyKey } = request;
    return this.feedback.raise(
      memberId,
      { kind, category, orderRef, text, idempotencyKey },
      { channel: FeedbackChannel.Store, storeCode, staffId: staff.id },
    );
  }

  /** A reply the member sees; the first one is the case's first response. */
  async reply(staff: StaffAccount, caseId: number, body: string, idempotencyKey: string): Promise<FeedbackCaseView> {
    const row = await this.visible(staff, caseId);
    if (body.length > this.config.feedback.maxTextChars) throw new DomainError('VALIDATION_FAILED');
    const same = async (done: FeedbackMessage) => done.body === body;
    return this.once(caseId, idempotencyKey, same, async (em, now) => {
      if (row.status === FeedbackStatus.Resolved || row.status === FeedbackStatus.Closed)
        throw new DomainError('FEEDBACK_ALREADY_RESOLVED');
      await this.addStaffMessage(em, staff, caseId, body, idempotencyKey, now);
      const answered = await execute(
        em,
        `UPDATE feedback_case SET status = 'responded', first_response_at = COALESCE(first_response_at, ?)
          WHERE id = ? AND status IN ('open', 'responded')`,
        [sqlDate(em, now), caseId],
      );
      if (answered !== 1) throw new DomainError('FEEDBACK_ALREADY_RESOLVED');
      return { reply: body };
    });
  }

  /**
   * Resolves the case (open or responded → resolved; resolving answers it too) with optional goodwill for
   * its member, within this role's limit. The member hears of the goodwill after commit.
   */
  async resolve(staff: StaffAccount, caseId: number, request: ResolveFeedbackRequest): Promise<FeedbackCaseView> {
    const row = await this.visible(staff, caseId);
    // The same resolution, with the same goodwill (or none): what a resend under this key must ask.
    const same = async (done: FeedbackMessage) => {
      if (done.body !== request.resolution) return false;
      const grant = await this.dataSource
        .getRepository(GoodwillGrant)
        .findOneBy({ caseId, memberId: row.memberId, idempotencyKey: request.idempotencyKey });
      const asked = request.goodwill;
      if (!asked || !grant) return !asked && !grant;
      return asked.kind === 'points'
        ? grant.kind === GoodwillKind.Points && grant.points === asked.points
        : grant.templateId === asked.templateId;
    };
    return this.once(caseId, request.idempotencyKey, same, async (em, now) => {
      await this.addStaffMessage(em, staff, caseId, request.resolution, request.idempotencyKey, now);
      const resolved = await execute(
        em,
        `UPDATE feedback_case SET status = 'resolved', resolved_at = ?, resolution = ?, resolved_by_staff_id = ?,
                first_response_at = COALESCE(first_response_at, ?) WHERE id = ? AND status IN ('open', 'responded')`,
        [sqlDate(em, now), request.resolution, staff.id, sqlDate(em, now), caseId],
      );
      if (resolved !== 1) throw new DomainError('FEEDBACK_ALREADY_RESOLVED');
      if (!request.goodwill) return { reply: request.resolution };
      const grant = await this.goodwill.grant(em, staff, {
        caseId,
        memberId: row.memberId,
        ask: request.goodwill,
        idempotencyKey: request.idempotencyKey,
        now,
      });
      return { reply: request.resolution, grant };
    });
  }

  /**
   * Runs a staff action on a case once per idempotency key: its message row's (case, key) is unique, so a
   * retry (concurrent or later) fails on it, rolls back, and answers the case as the first attempt left it, if it
   * asked the same (`same`); another action under that key is refused (IDEMPOTENCY_KEY_REUSED).
   */
  private async once(
    caseId: number,
    idempotencyKey: string,
    same: (done: FeedbackMessage) => Promise<boolean>,
    action: (em: EntityManager, now: Date) => Promise<{ reply: string; grant?: GrantNotice }>,
  ): Promise<FeedbackCaseView> {
    const done = async () => {
      const message = await this.dataSource.getRepository(FeedbackMessage).findOneBy({ caseId, idempotencyKey });
      if (message && !(await same(message))) throw new DomainError('IDEMPOTENCY_KEY_REUSED');
      return message !== null;
    };
    if (await done()) return this.feedback.view(this.dataSource.manager, caseId);
    try {
      const now = this.clock.now();
      const outcome = await this.transactions.run((em) => action(em, now));
      // After commit, and only by the attempt that made the effect: a replay sends nothing.
      await this.notifyReply(caseId, idempotencyKey, outcome.reply, now);
      if (outcome.grant) await this.goodwill.notify(outcome.grant);
    } catch (error) {
      const replay = isUniqueViolation(error) || (error instanceof DomainError && error.code === 'FEEDBACK_ALREADY_RESOLVED');
      if (!replay || !(await done())) throw error;
    }
    return this.feedback.view(this.dataSource.manager, caseId);
  }

  /** 服务进度提醒 to a member who asked for it when raising the case: one per staff message (its key). */
  private async notifyReply(caseId: number, idempotencyKey: string, reply: string, now: Date): Promise<void> {
    try {
      const row = await this.dataSource.getRepository(FeedbackCase).findOneByOrFail({ id: caseId });
      await this.transactions.run((em) =>
        this.messages.queueIfReachable(em, {
          memberId: row.memberId,
          kind: MessageKind.ServiceReply,
          vars: {
            category: this.config.feedback.categories[row.category] ?? '意见反馈',
            reply,
            at: DateTime.fromJSDate(now, { zone: this.config.businessCalendar.timeZone }).toFormat('yyyy-MM-dd HH:mm'),
          },
          dedupeKey: `feedback:${caseId}:${idempotencyKey}`,
        }),
      );
    } catch (error) {
      this.logger.error({ err: error, caseId }, 'feedback reply message could not be queued');
    }
  }

  private async addStaffMessage(em: EntityManager, staff: StaffAccount, caseId: number, body: string, idempotencyKey: string, now: Date) {
    await em.insert(FeedbackMessage, { caseId, author: 'staff', staffId: staff.id, body, idempotencyKey, createdAt: now });
  }

  /** The case, if this account may act on it: its store's staff, or an admin (cases of no store: admins only). */
  private async visible(staff: StaffAccount, caseId: number): Promise<FeedbackCase> {
    const row = await this.dataSource.getRepository(FeedbackCase).findOneBy({ id: caseId });
    if (!row) throw new DomainError('FEEDBACK_NOT_FOUND');
    if (staff.role !== 'admin' && (row.storeCode === null || !staff.stores.includes(row.storeCode)))
      throw new DomainError('STORE_NOT_YOURS');
    return row;
  }
}
