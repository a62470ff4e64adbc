import { Module } from '@nestjs/common';
import { ConsoleLoginController, StaffConsoleLoginController } from './console-login.controller';
import { ConsoleLoginService } from './console-login.service';

/** Signing in to the desktop console by scanning its QR code with the staff pages (扫码登录). */
@Module({
  controllers: [ConsoleLoginController, StaffConsoleLoginController],
  providers: [ConsoleLoginService],
})
export class ConsoleLoginModule {}
