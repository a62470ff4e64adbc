import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DomainEvents } from '../events/domain-event-bus';
import { MemberDeleted } from '../events/domain-events';

/** 注销: no clerk keeps access to the member they were serving (their views would show nothing personal anyway). */
@Injectable()
export class MemberDeletedAccessSubscriber implements OnModuleInit {
  constructor(private readonly events: DomainEvents) {}

  onModuleInit(): void {
    this.events.inTransaction(MemberDeleted, 'auth.drop-access-grants', async (event, em) => {
      await em.query('DELETE FROM member_access_grant WHERE member_id = ?', [event.memberId]);
    });
  }
}
