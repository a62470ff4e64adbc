import type { MemberMessageRow, MemberMessagesResponse, MessageKind } from '@member/shared';
import { LessThan, type EntityManager, type FindOptionsWhere } from 'typeorm';
import { OutboxMessage } from './message.entities';

/**
 * One member's messages as the outbox holds them (the console's 消息 tab): newest first, optionally one kind,
 * `limit` at a time (`nextBefore` pages on). Read through the member's rows only (idx_message_outbox_member):
 * a member has tens to hundreds of messages, so sorting them by id costs nothing.
 */
export async function memberOutboxPage(
  em: EntityManager,
  memberId: number,
  query: { kind?: MessageKind; before?: number; limit: number },
): Promise<MemberMessagesResponse> {
  const where: FindOptionsWhere<OutboxMessage> = { memberId };
  if (query.kind) where.kind = query.kind;
  if (query.before !== undefined) where.id = LessThan(query.before);
  const rows = await em.find(OutboxMessage, { where, order: { id: 'DESC' }, take: query.limit + 1 });
  const messages = rows.slice(0, query.limit).map((row): MemberMessageRow => ({
    id: row.id,
    kind: row.kind,
    status: row.status,
    skipReason: row.skipReason,
    errcode: row.errcode,
    error: row.error,
    createdAt: row.createdAt.toISOString(),
    sentAt: row.sentAt?.toISOString() ?? null,
  }));
  return { messages, nextBefore: rows.length > query.limit ? messages[messages.length - 1].id : null };
}
