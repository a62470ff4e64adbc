import { createHash } from 'node:crypto';
import type { AppConfig } from '@member/config';
import {
  firstResponseDueAt,
  FeedbackChannel,
  FeedbackStatus,
  type CreateFeedbackRequest,
  type FeedbackCaseView,
  type FeedbackListResponse,
  type FeedbackOptions,
  type FeedbackPhotoUploaded,
  type RateFeedbackRequest,
} from '@member/shared';
import { Injectable } from '@nestjs/common';
import { fileTypeFromBuffer } from 'file-type';
import { DataSource, In, IsNull, type EntityManager } from 'typeorm';
import { InjectConfig } from '../common/app-config';
import { RuntimeSettings } from '../settings/runtime-settings.service';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { isUniqueViolation, TransactionRunner } from '../database/transaction-runner';
import { membersRepository } from '../members/members.repository';
import { MyOrdersService } from '../orders/my-orders.service';
import { FeedbackCase, FeedbackMessage, FeedbackPhoto } from './feedback.entities';
import { goodwillOf, photoUrl, toCaseView, toSummary } from './feedback.views';

const ACCEPTED_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp']);

/** Who raises a case: the member in the app, or a clerk at the till for the member a ticket identifies. */
export interface Raiser {
  channel: FeedbackChannel;
  storeCode: string | null;
  staffId: number | null;
}

/**
 * The member's side of service recovery (投诉与反馈): raise a case (with an order of theirs and photos), read
 * their cases with the conversation, add a message, and rate the outcome once resolved. A case of another
 * member is FEEDBACK_NOT_FOUND, never told apart from one that does not exist.
 */
@Injectable()
export class FeedbackService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly clock: Clock,
    private readonly orders: MyOrdersService,
    private readonly settings: RuntimeSettings,
  ) {}

  options(): FeedbackOptions {
    const { categories, maxPhotos, maxTextChars, photoMaxBytes } = this.config.feedback;
    return {
      categories: Object.entries(categories).map(([code, label]) => ({ code: code as keyof typeof categories, label })),
      maxPhotos,
      maxTextChars,
      photoMaxBytes,
    };
  }

  /** A photo for a case not yet raised; the type is read from the bytes, never from the name. */
  async uploadPhoto(memberId: number, bytes: Buffer): Promise<FeedbackPhotoUploaded> {
    if (bytes.length > this.config.feedback.photoMaxBytes) throw new DomainError('FEEDBACK_PHOTO_TOO_LARGE');
    const detected = bytes.length > 0 ? await fileTypeFromBuffer(bytes) : undefined;
    if (!detected || !ACCEPTED_TYPES.has(detected.mime)) throw new DomainError('FEEDBACK_PHOTO_INVALID');
    await this.joinedMember(memberId);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const inserted = await this.dataSource
      .getRepository(FeedbackPhoto)
      .insert({ memberId, caseId: null, sha256, contentType: detected.mime, bytes, createdAt: this.clock.now() });
    return { id: Number(inserted.identifiers[0].id), url: photoUrl(sha256) };
  }

  async findPhoto(sha256: string): Promise<{ contentType: string; bytes: Buffer }> {
    const photo = await this.dataSource.getRepository(FeedbackPhoto).findOneBy({ sha256 });
    // Served before it is attached too: the new-case form shows what the member picked.
    if (!photo) throw new DomainError('NOT_FOUND');
    return { contentType: photo.contentType, bytes: Buffer.from(photo.bytes) };
  }

  /** The member raises a case in the app (channel online); its store is the named order's, else none (HQ). */
  async create(memberId: number, request: CreateFeedbackRequest): Promise<FeedbackCaseView> {
    return this.raise(memberId, request, { channel: FeedbackChannel.Online, storeCode: null, staffId: null });
  }

  /**
   * Raises a case, once per (member, idempotency key): a retried submit answers the case it made. The order
   * must be the member's own; the photos the member's own unused uploads.
   */
  async raise(memberId: number, request: CreateFeedbackRequest, raiser: Raiser): Promise<FeedbackCaseView> {
    const { maxTextChars, maxPhotos } = this.config.feedback;
    const firstResponseMinutes = await this.settings.get('feedback.firstResponseMinutes');
    if (request.text.length > maxTextChars) throw new DomainError('VALIDATION_FAILED');
    const photoIds = [...new Set(request.photoIds ?? [])];
    if (photoIds.length > maxPhotos) throw new DomainError('FEEDBACK_PHOTOS_INVALID');
    const replay = await this.byKey(memberId, request);
    if (replay) return replay;
    await this.joinedMember(memberId);
    let storeCode = raiser.storeCode;
    if (request.orderRef) {
      const order = await this.orders.detail(memberId, request.orderRef).catch((error: unknown) => {
        if (error instanceof DomainError) throw new DomainError('FEEDBACK_ORDER_NOT_YOURS');
        throw error;
      });
      storeCode ??= order.storeCode;
    }
    const now = this.clock.now();
    try {
      const id = await this.transactions.run(async (em) => {
        const inserted = await em.insert(FeedbackCase, {
          memberId,
          kind: request.kind,
          category: request.category,
          channel: raiser.channel,
          storeCode,
          orderRef: request.orderRef ?? null,
          text: request.text,
          status: FeedbackStatus.Open,
          createdByStaffId: raiser.staffId,
          idempotencyKey: request.idempotencyKey,
          createdAt: now,
          dueAt: firstResponseDueAt(now, raiser.channel, firstResponseMinutes),
          firstResponseAt: null,
          resolvedAt: null,
          resolution: null,
          resolvedByStaffId: null,
          rating: null,
          ratingComment: null,
          ratedAt: null,
        });
        const caseId = Number(inserted.identifiers[0].id);
        if (photoIds.length > 0) {
          const attached = await em.update(FeedbackPhoto, { id: In(photoIds), memberId, caseId: IsNull() }, { caseId });
          if (attached.affected !== photoIds.length) throw new DomainError('FEEDBACK_PHOTOS_INVALID');
        }
        return caseId;
      });
      return this.view(this.dataSource.manager, id);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const made = await this.byKey(memberId, request);
      if (!made) throw error;
      return made;
    }
  }

  async list(memberId: number): Promise<FeedbackListResponse> {
    const em = this.dataSource.manager;
    const rows = await em.find(FeedbackCase, { where: { memberId }, order: { id: 'DESC' }, take: this.config.feedback.pageSize });
    const goodwill = await goodwillOf(
      em,
      rows.map((r) => r.id),
    );
    const now = this.clock.now();
    return { cases: rows.map((row) => toSummary(row, this.config, now, goodwill.get(row.id) ?? null)) };
  }

  async get(memberId: number, caseId: number): Promise<FeedbackCaseView> {
    const row = await this.own(memberId, caseId);
    return toCaseView(this.dataSource.manager, row, this.config, this.clock.now());
  }

  /** The member adds to the conversation while the case is not closed; a retried send adds it once. */
  async addMessage(memberId: number, caseId: number, body: string, idempotencyKey: string): Promise<FeedbackCaseView> {
    const row = await this.own(memberId, caseId);
    if (body.length > this.config.feedback.maxTextChars) throw new DomainError('VALIDATION_FAILED');
    if (row.status === FeedbackStatus.Closed) throw new DomainError('FEEDBACK_ALREADY_RESOLVED');
    try {
      await this.dataSource
        .getRepository(FeedbackMessage)
        .insert({ caseId, author: 'member', staffId: null, body, idempotencyKey, createdAt: this.clock.now() });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // The message this key already added, for the same words only: other words under it are refused.
      const earlier = await this.dataSource.getRepository(FeedbackMessage).findOneBy({ caseId, idempotencyKey });
      if (earlier && (earlier.body !== body || earlier.author !== 'member')) throw new DomainError('IDEMPOTENCY_KEY_REUSED');
    }
    return this.get(memberId, caseId);
  }

  /** Once, by the member, after the case was resolved: the case is then closed. */
  async rate(memberId: number, caseId: number, request: RateFeedbackRequest): Promise<FeedbackCaseView> {
    const row = await this.own(memberId, caseId);
    if (row.status === FeedbackStatus.Open || row.status === FeedbackStatus.Responded) throw new DomainError('FEEDBACK_NOT_RESOLVED');
    const rated = await this.dataSource
      .getRepository(FeedbackCase)
      .update(
        { id: caseId, memberId, status: FeedbackStatus.Resolved },
        { status: FeedbackStatus.Closed, rating: request.rating, ratingComment: request.comment ?? null, ratedAt: this.clock.now() },
      );
    if (rated.affected !== 1) throw new DomainError('FEEDBACK_ALREADY_RATED');
    return this.get(memberId, caseId);
  }

  async view(em: EntityManager, caseId: number): Promise<FeedbackCaseView> {
    const row = await em.findOneBy(FeedbackCase, { id: caseId });
    if (!row) throw new DomainError('FEEDBACK_NOT_FOUND');
    return toCaseView(em, row, this.config, this.clock.now());
  }

  private async own(memberId: number, caseId: number): Promise<FeedbackCase> {
    const row = await this.dataSource.getRepository(FeedbackCase).findOneBy({ id: caseId, memberId });
    if (!row) throw new DomainError('FEEDBACK_NOT_FOUND');
    return row;
  }

  /** The case this key made, for the same case only: one raised with other content under it is refused. */
  private async byKey(
    memberId: number,
    request: Pick<CreateFeedbackRequest, 'idempotencyKey' | 'kind' | 'category' | 'orderRef' | 'text'>,
  ): Promise<FeedbackCaseView | null> {
    const row = await this.dataSource.getRepository(FeedbackCase).findOneBy({ memberId, idempotencyKey: request.idempotencyKey });
    if (!row) return null;
    const same =
      row.kind === request.kind &&
      row.category === request.category &&
      row.orderRef === (request.orderRef ?? null) &&
      row.text === request.text;
    if (!same) throw new DomainError('IDEMPOTENCY_KEY_REUSED');
    return toCaseView(this.dataSource.manager, row, this.config, this.clock.now());
  }

  private async joinedMember(memberId: number): Promise<void> {
    const member = await membersRepository.find(this.dataSource.manager, memberId);
    if (!member) throw new DomainError('MEMBER_NOT_FOUND');
    if (!member.joinedAt) throw new DomainError('MEMBER_NOT_JOINED');
  }
}
