import { Module } from '@nestjs/common';
import { JobRunner } from '../jobs/job-runner';
import { AudienceService } from './audience.service';
import { RfmRefreshJob } from './rfm-refresh.job';
import { AdminAudiencesController, AdminSegmentsController } from './segments.controller';

/** Audiences (客户分层): the RFM refresh and the audience preview; campaigns build on AudienceService. */
@Module({
  controllers: [AdminAudiencesController, AdminSegmentsController],
  providers: [AudienceService, RfmRefreshJob, JobRunner],
  exports: [AudienceService, RfmRefreshJob],
})
export class SegmentsModule {}
