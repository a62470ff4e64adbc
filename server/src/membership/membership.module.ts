import { Module } from '@nestjs/common';
import { MembershipReviewJob } from './membership-review.job';

@Module({
  providers: [MembershipReviewJob],
  exports: [MembershipReviewJob],
})
export class MembershipModule {}
