import { OutboxSkipReason, OutboxStatus } from '@member/shared';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DomainEvents } from '../events/domain-event-bus';
import { MemberDeleted } from '../events/domain-events';

/**
 * 注销 stops every message: in the deletion's transaction the member's grants go (nothing can be sent, and
 * audiences no longer count them as reachable), what is still queued is skipped as no_member, and the rendered
 * text of their messages (it may carry their nickname) is blanked. The rows stay, counted in the reports.
 */
@Injectable()
export class MemberDeletedMessagesSubscriber implements OnModuleInit {
  constructor(private readonly events: DomainEvents) {}

  onModuleInit(): void {
    this.events.inTransaction(MemberDeleted, 'messages.stop-all', (event, em) => this.stopAll(em, event.memberId));
  }

  private async stopAll(em: EntityManager, memberId: number): Promise<void> {
    await em.query('DELETE FROM message_grant WHERE member_id = ?', [memberId]);
    await em.query('UPDATE message_outbox SET status = ?, skip_reason = ? WHERE member_id = ? AND status = ?', [
      OutboxStatus.Skipped,
      OutboxSkipReason.NoMember,
      memberId,
      OutboxStatus.Queued,
    ]);
    await em.query(`UPDATE message_outbox SET data = '{}' WHERE member_id = ?`, [memberId]);
  }
}
