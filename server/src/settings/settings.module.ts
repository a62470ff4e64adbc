import { Global, Module } from '@nestjs/common';
import { RuntimeSettings } from './runtime-settings.service';
import { SettingsController } from './settings.controller';
import { SettingsService } from './settings.service';

/** Runtime settings (设置): RuntimeSettings is global, since feedback and messages read their rules through it. */
@Global()
@Module({
  controllers: [SettingsController],
  providers: [RuntimeSettings, SettingsService],
  exports: [RuntimeSettings, SettingsService],
})
export class SettingsModule {}
