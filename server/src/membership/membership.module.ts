import { Module } from '@nestjs/common';
import { ImportedTiers } from './imported-tiers';
import { MembershipReviewJob } from './membership-review.job';

@Module({
  providers: [MembershipReviewJob, ImportedTiers],
  exports: [MembershipReviewJob, ImportedTiers],
})
export class MembershipModule {}
