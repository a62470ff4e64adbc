import type { AppConfig } from '@member/config';
import { Injectable } from '@nestjs/common';
import { DataSource, MoreThan } from 'typeorm';
import { InjectConfig } from '../common/app-config';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { overwrite, sqlDate, upsert } from '../database/dialect';
import type { StaffAccount } from './staff.service';
import { MemberAccessGrant } from './store.entity';

/**
 * A clerk reads a member only while serving them: verifying the member's code at the till (or recording a
 * sale with it) grants that clerk access to that member for a few minutes (config staffAccess.memberGrantSeconds).
 * Asking by member id alone is refused, so a member list cannot be walked id by id. HQ admins read any member.
 */
@Injectable()
export class MemberAccessService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async grant(staff: StaffAccount, memberId: number): Promise<void> {
    const expiresAt = new Date(this.clock.now().getTime() + this.config.staffAccess.memberGrantSeconds * 1000);
    const em = this.dataSource.manager;
    const insert = 'INSERT INTO member_access_grant (staff_id, member_id, expires_at) VALUES (?, ?, ?)';
    await em.query(upsert(em, insert, { conflict: ['staff_id', 'member_id'], set: overwrite(['expires_at']) }), [
      staff.id,
      memberId,
      sqlDate(em, expiresAt),
    ]);
  }

  async assertMayRead(staff: StaffAccount, memberId: number): Promise<void> {
    if (staff.role === 'admin') return;
    const granted = await this.dataSource
      .getRepository(MemberAccessGrant)
      .exists({ where: { staffId: staff.id, memberId, expiresAt: MoreThan(this.clock.now()) } });
    if (!granted) throw new DomainError('MEMBER_ACCESS_REQUIRED');
  }
}
