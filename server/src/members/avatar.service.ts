import { createHash } from 'node:crypto';
import type { AppConfig } from '@member/config';
import { AccountStatus, API_PREFIX, type MemberProfile } from '@member/shared';
import { Injectable } from '@nestjs/common';
import { fileTypeFromBuffer } from 'file-type';
import { DataSource } from 'typeorm';
import { InjectConfig } from '../common/app-config';
import { DomainError } from '../common/domain-error';
import { TransactionRunner } from '../database/transaction-runner';
import { MemberAvatar } from './member-avatar.entity';
import { Member } from './member.entity';
import { MembersService } from './members.service';

/** Image types a phone camera or WeChat's avatar picker produces and every client can show. */
const ACCEPTED_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp']);

export const AVATAR_PATH = `${API_PREFIX}/media/avatars`;

@Injectable()
export class AvatarService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly members: MembersService,
  ) {}

  get maxBytes(): number {
    return this.config.avatar.maxBytes;
  }

  /**
   * Stores the member's new avatar and points their profile at it. The type is read from the bytes, never
   * from the file name or the client's content type.
   */
  async saveAvatar(memberId: number, bytes: Buffer): Promise<MemberProfile> {
    if (bytes.length > this.maxBytes) throw new DomainError('AVATAR_TOO_LARGE');
    const detected = bytes.length > 0 ? await fileTypeFromBuffer(bytes) : undefined;
    if (!detected || !ACCEPTED_TYPES.has(detected.mime)) throw new DomainError('AVATAR_INVALID', undefined, { detected: detected?.mime });
    await this.members.getLiveMember(memberId);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    await this.transactions.run(async (em) => {
      await em.delete(MemberAvatar, { memberId });
      await em.insert(MemberAvatar, { memberId, sha256, contentType: detected.mime, bytes });
      const pointed = await em.update(
        Member,
        { id: memberId, accountStatus: AccountStatus.Active },
        { avatarUrl: `${AVATAR_PATH}/${sha256}` },
      );
      // The account was deleted (注销) meanwhile: the picture must not stay behind, so the whole upload rolls back.
      if (pointed.affected !== 1) throw new DomainError('SESSION_REVOKED');
    });
    return this.members.getProfile(memberId);
  }

  async findAvatar(sha256: string): Promise<{ contentType: string; bytes: Buffer }> {
    const avatar = await this.dataSource.getRepository(MemberAvatar).findOneBy({ sha256 });
    if (!avatar) throw new DomainError('NOT_FOUND');
    return { contentType: avatar.contentType, bytes: Buffer.from(avatar.bytes) };
  }
}
