import { Module } from '@nestjs/common';
import { JobRunner } from '../jobs/job-runner';
import { MembershipReviewJob } from './membership-review.job';

@Module({
  providers: [MembershipReviewJob, JobRunner],
  exports: [MembershipReviewJob],
})
export class MembershipModule {}
