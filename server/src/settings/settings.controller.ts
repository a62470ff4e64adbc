import type { RuntimeSettingVersionView, RuntimeSettingView } from '@member/shared';
import { Body, Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { CurrentStaff, StaffGuard, StaffRoles } from '../auth/auth.guards';
import type { StaffAccount } from '../auth/staff.service';
import { Audited } from '../audit/audit.interceptor';
import { ZodPipe } from '../common/zod.pipe';
import { changeSettingBody, revertSettingBody, settingKeyParam } from './settings.dto';
import { SettingsService, type SettingChange } from './settings.service';

type Json = Record<string, unknown> | undefined;
/** The audit row names the key and the version made; the value and reason are in setting_version itself. */
const settingFacts = ({ params, result }: { params?: Json; result?: Json }) => ({
  target:
    result?.version !== undefined ? `${String(params?.key)}@${String(result.version)}` : ((params?.key as string | undefined) ?? null),
});

/** 设置: HQ only. */
@Controller('staff/settings')
@UseGuards(StaffGuard)
@StaffRoles('admin')
export class SettingsController {
  constructor(private readonly settings: SettingsService) {}

  @Get()
  list(): Promise<RuntimeSettingView[]> {
    return this.settings.list();
  }

  @Get(':key/versions')
  history(@Param(new ZodPipe(settingKeyParam)) params: { key: string }): Promise<RuntimeSettingVersionView[]> {
    return this.settings.history(params.key);
  }

  @Post(':key')
  @HttpCode(200)
  @Audited('settings.change', settingFacts)
  change(
    @CurrentStaff() staff: StaffAccount,
    @Param(new ZodPipe(settingKeyParam)) params: { key: string },
    @Body(new ZodPipe(changeSettingBody)) body: SettingChange,
  ): Promise<RuntimeSettingView> {
    return this.settings.change(staff, params.key, body);
  }

  @Post(':key/revert')
  @HttpCode(200)
  @Audited('settings.revert', settingFacts)
  revert(
    @CurrentStaff() staff: StaffAccount,
    @Param(new ZodPipe(settingKeyParam)) params: { key: string },
    @Body(new ZodPipe(revertSettingBody)) body: { version: number; reason: string; baseVersion: number },
  ): Promise<RuntimeSettingView> {
    return this.settings.revert(staff, params.key, body.version, body.reason, body.baseVersion);
  }
}
