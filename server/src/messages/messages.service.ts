import type { AppConfig } from '@member/config';
import {
  MAX_TEMPLATES_PER_SUBSCRIBE_CALL,
  MESSAGE_KINDS,
  OutboxStatus,
  renderSubscribeData,
  SubscribeDecision,
  SUBSCRIBE_MOMENTS,
  type MessageKind,
  type MessagePreferencesResponse,
  type ReportSubscriptionsRequest,
  type SubscribeMoment,
} from '@member/shared';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { InjectConfig } from '../common/app-config';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { sqlDate, upsert } from '../database/dialect';
import { isUniqueViolation, TransactionRunner } from '../database/transaction-runner';
import { membersRepository, type MemberRecord } from '../members/members.repository';
import { MessageGrant, MessagePreference, OutboxMessage, SubscribeReport } from './message.entities';
import { reachableMembers } from './message-reach';

export interface QueueMessage {
  memberId: number;
  kind: MessageKind;
  /** Values for the template's `{placeholders}` (member name, coupon name, expiry date…). */
  vars: Record<string, string | number>;
  /** One cause, one message: the same key again queues nothing (e.g. `campaign:12:member:345`). */
  dedupeKey: string;
  /** Not before this instant (default now). */
  dueAt?: Date;
}

export type QueueOutcome = 'queued' | 'duplicate' | 'invalid';

/**
 * The member's side of subscription messages (the grant ledger and their switches) and the outbox producers
 * write into. Sending is OutboxSender's job.
 */
@Injectable()
export class MessagesService {
  private readonly logger = new Logger(MessagesService.name);

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly clock: Clock,
  ) {}

  async preferences(memberId: number): Promise<MessagePreferencesResponse> {
    await this.joinedMember(memberId);
    const [grants, switches] = await Promise.all([
      this.dataSource.getRepository(MessageGrant).findBy({ memberId }),
      this.dataSource.getRepository(MessagePreference).findBy({ memberId }),
    ]);
    const remaining = new Map(grants.map((g) => [g.templateId, g.remaining]));
    const off = new Set(switches.filter((s) => !s.enabled).map((s) => s.kind));
    const kinds = MESSAGE_KINDS.map((kind) => {
      const template = this.config.messages.templates[kind];
      return {
        kind,
        title: template.title,
        description: template.description,
        templateId: template.templateId,
        remaining: remaining.get(template.templateId) ?? 0,
        enabled: !off.has(kind),
      };
    });
    const moments = Object.fromEntries(
      SUBSCRIBE_MOMENTS.map((moment) => [
        moment,
        this.config.messages.moments[moment].filter((kind) => !off.has(kind)).slice(0, MAX_TEMPLATES_PER_SUBSCRIBE_CALL),
      ]),
    ) as Record<SubscribeMoment, MessageKind[]>;
    return { kinds, moments };
  }

  /**
   * What one `requestSubscribeMessage` call answered: each accepted template of ours adds one grant. A
   * resent report (same key) adds nothing; decisions for templates that are not ours are refused, since the
   * app only ever asks for ours.
   */
  async report(memberId: number, request: ReportSubscriptionsRequest): Promise<MessagePreferencesResponse> {
    await this.joinedMember(memberId);
    const ours = new Set(MESSAGE_KINDS.map((kind) => this.config.messages.templates[kind].templateId));
    const unknown = Object.keys(request.results).filter((id) => !ours.has(id));
    if (unknown.length > 0)
      throw new DomainError(
        'MESSAGE_TEMPLATE_UNKNOWN',
        unknown.map((id) => ({ path: `results.${id}`, reason: 'not one of our templates' })),
      );
    const accepted = Object.entries(request.results)
      .filter(([, decision]) => decision === SubscribeDecision.Accept)
      .map(([id]) => id)
      .sort();
    const now = this.clock.now();
    try {
      await this.transactions.run(async (em) => {
        await em.insert(SubscribeReport, {
          memberId,
          idempotencyKey: request.idempotencyKey,
          moment: request.moment,
          accepted: accepted.join(','),
          createdAt: now,
        });
        for (const templateId of accepted) await this.addGrant(em, memberId, templateId, now);
      });
      if (accepted.length) this.logger.log({ memberId, moment: request.moment, accepted: accepted.length }, 'subscription grants added');
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // The same report again: already counted. Other decisions under its key were never counted: refused, not
      // answered as if they had been (our grants would fall behind WeChat's quota unnoticed).
      const earlier = await this.dataSource.getRepository(SubscribeReport).findOneBy({ memberId, idempotencyKey: request.idempotencyKey });
      if (earlier && (earlier.accepted !== accepted.join(',') || earlier.moment !== request.moment))
        throw new DomainError('IDEMPOTENCY_KEY_REUSED');
    }
    return this.preferences(memberId);
  }

  async setEnabled(memberId: number, kind: MessageKind, enabled: boolean): Promise<MessagePreferencesResponse> {
    await this.joinedMember(memberId);
    const now = this.clock.now();
    await this.transactions.run(async (em) => {
      const existing = await em.findOneBy(MessagePreference, { memberId, kind });
      if (existing) await em.update(MessagePreference, { memberId, kind }, { enabled, updatedAt: now });
      else await em.insert(MessagePreference, { memberId, kind, enabled, updatedAt: now });
    });
    return this.preferences(memberId);
  }

  /**
   * Writes a message into the outbox inside the caller's transaction (so it exists exactly when its cause
   * does); the sender sends it after commit. Values are filled, fitted and checked now: a template WeChat
   * would refuse (47003) is recorded as failed instead of being sent.
   */
  async queue(em: EntityManager, message: QueueMessage): Promise<QueueOutcome> {
    const row = this.outboxRow(message.kind, message, this.clock.now());
    try {
      await em.insert(OutboxMessage, row);
    } catch (error) {
      // The same cause queued before: one message per cause. (A duplicate key fails only this statement.)
      if (isUniqueViolation(error)) return 'duplicate';
      throw error;
    }
    return row.status === OutboxStatus.Queued ? 'queued' : 'invalid';
  }

  /**
   * Many messages of one kind in a few multi-row INSERTs (a campaign chunk's), each rendered and checked like
   * `queue`. The caller guarantees the dedupe keys are new (a campaign chunk is issued once); a clash fails the
   * caller's transaction, which is then retried whole. Answers how many were queued.
   */
  async queueMany(em: EntityManager, kind: MessageKind, messages: Array<Omit<QueueMessage, 'kind'>>): Promise<number> {
    const now = this.clock.now();
    const rows = messages.map((message) => this.outboxRow(kind, message, now));
    for (let i = 0; i < rows.length; i += 500)
      await em
        .createQueryBuilder()
        .insert()
        .into(OutboxMessage)
        .values(rows.slice(i, i + 500))
        .updateEntity(false)
        .execute();
    return rows.filter((row) => row.status === OutboxStatus.Queued).length;
  }

  /** The outbox row for one message: values filled, fitted and checked now; one WeChat would refuse is recorded as failed. */
  private outboxRow(kind: MessageKind, message: Omit<QueueMessage, 'kind'>, now: Date) {
    const template = this.config.messages.templates[kind];
    const rendered = renderSubscribeData(template.fields, message.vars);
    if (!rendered.ok)
      this.logger.error(
        { memberId: message.memberId, kind, problems: rendered.problems },
        'message values do not fit the template: not sent',
      );
    return {
      dedupeKey: message.dedupeKey,
      memberId: message.memberId,
      kind,
      templateId: template.templateId,
      page: template.page,
      data: JSON.stringify(rendered.ok ? rendered.data : {}),
      status: rendered.ok ? OutboxStatus.Queued : OutboxStatus.Failed,
      error: rendered.ok
        ? null
        : rendered.problems
            .map((p) => `${p.key}: ${p.reason}`)
            .join('; ')
            .slice(0, 200),
      dueAt: message.dueAt ?? now,
      createdAt: now,
    };
  }

  /**
   * For messages the member asked for by subscribing (points changes): queued only when a grant is there to
   * send it, so everyday events do not fill the outbox with rows that could only be skipped.
   */
  async queueIfReachable(em: EntityManager, message: QueueMessage): Promise<QueueOutcome | 'unreachable'> {
    const templateId = this.config.messages.templates[message.kind].templateId;
    const [reachable] = await reachableMembers(em, { templateId, kind: message.kind }, [message.memberId]);
    if (!reachable) return 'unreachable';
    return this.queue(em, message);
  }

  /** Name for messages: the member's nickname when WeChat will take it as a `thing`, else 会员. */
  static displayName(member: Pick<MemberRecord, 'nickname'>): string {
    const name = member.nickname?.trim();
    return name ? name : '会员';
  }

  /**
   * One more send allowed: a single upsert, so concurrent reports (of this member or of neighbours in the
   * index) never take a gap lock first and then insert into the gap, which deadlocks on MySQL.
   */
  private async addGrant(em: EntityManager, memberId: number, templateId: string, now: Date): Promise<void> {
    const at = sqlDate(em, now);
    const insert = 'INSERT INTO message_grant (member_id, template_id, remaining, accepted_total, updated_at) VALUES (?, ?, 1, 1, ?)';
    const set = (incoming: (column: string) => string) =>
      `remaining = remaining + 1, accepted_total = accepted_total + 1, updated_at = ${incoming('updated_at')}`;
    await em.query(upsert(em, insert, { conflict: ['member_id', 'template_id'], set }), [memberId, templateId, at]);
  }

  private async joinedMember(memberId: number): Promise<MemberRecord> {
    const member = await membersRepository.find(this.dataSource.manager, memberId);
    if (!member?.joinedAt) throw new DomainError('MEMBER_NOT_JOINED');
    return member;
  }
}
