import type { AppConfig } from '@member/config';
import { Global, Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { DataSource } from 'typeorm';
import { APP_CONFIG } from '../common/app-config';
import { Clock } from '../common/clock';
import { TransactionRunner } from '../database/transaction-runner';
import { DbThrottlerStorage } from './db-throttler.storage';
import { ThrottleSweepJob } from './throttle-sweep.job';
import { wechatCallThrottlers, WechatCallThrottleGuard } from './wechat-call.throttle';

/** Rate limits kept in the database (the system of record), so N instances share one count. */
@Global()
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [APP_CONFIG, DataSource, TransactionRunner, Clock],
      useFactory: (config: AppConfig, dataSource: DataSource, transactions: TransactionRunner, clock: Clock) => ({
        ...wechatCallThrottlers(config.throttle),
        storage: new DbThrottlerStorage(dataSource, transactions, clock),
      }),
    }),
  ],
  providers: [DbThrottlerStorage, WechatCallThrottleGuard, ThrottleSweepJob],
  exports: [DbThrottlerStorage, WechatCallThrottleGuard],
})
export class ThrottleModule {}
