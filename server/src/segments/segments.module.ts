import { Module } from '@nestjs/common';
import { AudienceService } from './audience.service';
import { RfmRefreshJob } from './rfm-refresh.job';
import { AdminAudiencesController, AdminSegmentsController } from './segments.controller';

/** Audiences (客户分层): the RFM refresh and the audience preview; campaigns build on AudienceService. */
@Module({
  controllers: [AdminAudiencesController, AdminSegmentsController],
  providers: [AudienceService, RfmRefreshJob],
  exports: [AudienceService, RfmRefreshJob],
})
export class SegmentsModule {}
