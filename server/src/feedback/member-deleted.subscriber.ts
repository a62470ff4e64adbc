import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DomainEvents } from '../events/domain-event-bus';
import { MemberDeleted } from '../events/domain-events';

/**
 * 注销 erases what the member wrote and showed: in the deletion's transaction their photos are deleted and the
 * text of their cases, their messages and their rating comments is blanked. The cases stay (status, category,
 * store, times, goodwill), so the service report keeps counting them.
 */
@Injectable()
export class MemberDeletedFeedbackSubscriber implements OnModuleInit {
  constructor(private readonly events: DomainEvents) {}

  onModuleInit(): void {
    this.events.inTransaction(MemberDeleted, 'feedback.erase', (event, em) => this.erase(em, event.memberId));
  }

  private async erase(em: EntityManager, memberId: number): Promise<void> {
    await em.query('DELETE FROM feedback_photo WHERE member_id = ?', [memberId]);
    await em.query(`UPDATE feedback_case SET text = '（已注销）', rating_comment = NULL, order_ref = NULL WHERE member_id = ?`, [memberId]);
    await em.query(
      `UPDATE feedback_message SET body = '（已注销）'
        WHERE author = 'member' AND case_id IN (SELECT id FROM feedback_case WHERE member_id = ?)`,
      [memberId],
    );
  }
}
