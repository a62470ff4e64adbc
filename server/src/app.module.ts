import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AuthCoreModule } from './auth/auth-core.module';
import { AuthModule } from './auth/auth.module';
import { ApiErrorFilter } from './common/error.filter';
import { CoreModule, type CoreOptions } from './core.module';
import { HealthController } from './health/health.controller';
import { MembersModule } from './members/members.module';
import { PointsModule } from './points/points.module';

@Module({})
export class AppModule {
  static forRoot(options: CoreOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [CoreModule.forRoot(options), AuthCoreModule, MembersModule, PointsModule, AuthModule],
      controllers: [HealthController],
      providers: [{ provide: APP_FILTER, useClass: ApiErrorFilter }],
    };
  }
}
