import type { AppConfig } from '@member/config';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { InjectConfig } from '../common/app-config';
import { DomainEvents } from '../events/domain-event-bus';
import { TierChanged } from '../events/domain-events';
import { membersRepository } from '../members/members.repository';

/**
 * Tiers given by an import (issue 18): the retailer's old system decided them, so they are set as given, not
 * earned from spend here; the periodic review judges them like any tier from then on (and its grace period
 * starts when the member's spend here is below the tier). Announced as TierChanged with cause `import`.
 */
@Injectable()
export class ImportedTiers {
  private readonly codes: ReadonlySet<string>;
  private readonly lowest: string;

  constructor(
    @InjectConfig() config: AppConfig,
    private readonly events: DomainEvents,
  ) {
    this.codes = new Set(config.tiers.map((tier) => tier.code));
    this.lowest = config.tiers[0].code;
  }

  /** Sets the tiers of members just inserted (at the lowest tier), in the import's transaction. */
  async assign(em: EntityManager, assignments: ReadonlyArray<{ memberId: number; tier: string }>, now: Date): Promise<void> {
    const byTier = new Map<string, number[]>();
    for (const { memberId, tier } of assignments) {
      if (!this.codes.has(tier)) throw new Error(`unknown tier ${tier}`);
      if (tier === this.lowest) continue;
      byTier.set(tier, [...(byTier.get(tier) ?? []), memberId]);
    }
    for (const [tier, memberIds] of byTier) {
      await membersRepository.setTierOf(em, memberIds, tier);
      for (const memberId of memberIds) await this.events.publish(em, new TierChanged(memberId, this.lowest, tier, 'import', now));
    }
  }
}
