import { Module } from '@nestjs/common';
import { StaffAdminController, StaffInviteController } from './staff-admin.controller';
import { StaffAdminService } from './staff-admin.service';

/** Stores and staff in the console, and staff invites by QR code (邀请员工). Accounts are written through StaffService. */
@Module({
  controllers: [StaffAdminController, StaffInviteController],
  providers: [StaffAdminService],
  exports: [StaffAdminService],
})
export class StaffAdminModule {}
