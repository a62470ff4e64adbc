import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { membersRepository } from '../members/members.repository';

interface Waiting {
  memberId: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Refuses the sessions of deleted accounts (注销). A session token is a signed, stateless JWT, and SessionTokens
 * remembers verified ones per instance, so neither can know that the member deleted their account a moment ago,
 * maybe through another instance: the database is asked on every request. The requests that arrive in the same
 * turn of the event loop share one `SELECT … WHERE id IN (…)` (a flash claim brings hundreds at once), and each
 * waits for a read that started after it arrived, so no answer is ever older than the request.
 *
 * Deletion is forever (a returning WeChat user becomes a new member with a new id), so a member once seen
 * deleted is remembered here and refused without asking again.
 */
@Injectable()
export class SessionRevocations {
  private waiting: Waiting[] = [];
  private readonly knownDeleted = new Set<number>();

  constructor(private readonly dataSource: DataSource) {}

  assertLive(memberId: number): Promise<void> {
    if (this.knownDeleted.has(memberId)) return Promise.reject(new DomainError('SESSION_REVOKED'));
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ memberId, resolve, reject });
      if (this.waiting.length === 1) setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    const batch = this.waiting;
    this.waiting = [];
    let deleted: Set<number>;
    try {
      deleted = await membersRepository.deletedAmong(
        this.dataSource.manager,
        batch.map((w) => w.memberId),
      );
    } catch (error) {
      for (const w of batch) w.reject(error);
      return;
    }
    for (const id of deleted) this.knownDeleted.add(id);
    for (const w of batch) {
      if (deleted.has(w.memberId)) w.reject(new DomainError('SESSION_REVOKED'));
      else w.resolve();
    }
  }
}
