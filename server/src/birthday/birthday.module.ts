import { Module } from '@nestjs/common';
import { CampaignsModule } from '../campaigns/campaigns.module';
import { MessagesModule } from '../messages/messages.module';
import { BirthdayPerkJob } from './birthday-perk.job';
import { BirthdayPerkProgram } from './birthday-perk.program';

/**
 * Birthday perks: the rules of the 'birthday-perk' system campaign (BirthdayPerkProgram, registered with the
 * campaign runner) and the daily job that starts its run.
 */
@Module({
  imports: [CampaignsModule, MessagesModule],
  providers: [BirthdayPerkJob, BirthdayPerkProgram],
  exports: [BirthdayPerkJob],
})
export class BirthdayModule {}
