import { Column, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * The avatar image a member uploaded. Kept in the database so every server instance can serve it with no
 * shared disk; a CDN or object store can sit in front later. One per member: a new upload replaces it, and
 * its URL changes with its hash, so caches never serve a stale picture.
 */
@Entity('member_avatar')
export class MemberAvatar {
  @PrimaryColumn({ name: 'member_id', type: 'integer' })
  memberId!: number;

  @Index('idx_member_avatar_sha256')
  @Column({ type: 'varchar', length: 64 })
  sha256!: string;

  @Column({ name: 'content_type', type: 'varchar', length: 32 })
  contentType!: string;

  @Column({ type: 'blob' })
  bytes!: Buffer;

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime' })
  updatedAt!: Date;
}
