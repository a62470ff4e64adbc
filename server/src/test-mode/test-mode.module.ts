import { Module } from '@nestjs/common';
import { BirthdayModule } from '../birthday/birthday.module';
import { CampaignsModule } from '../campaigns/campaigns.module';
import { BenchPingController } from './bench-ping.controller';
import { TestModeController, TestModeGuard } from './test-mode.controller';

/** Routes under /api/test for end-to-end tests; AppModule loads this module only when NODE_ENV=test. */
@Module({
  imports: [BirthdayModule, CampaignsModule],
  controllers: [TestModeController, BenchPingController],
  providers: [TestModeGuard],
})
export class TestModeModule {}
