import { randomUUID } from 'node:crypto';
import type { AppConfig } from '@member/config';
import { Global, Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_CONFIG } from './common/app-config';
import type { LogSink } from './common/logging';
import { Clock, ShiftedClock, SystemClock } from './common/clock';
import { dataSourceOptions, openDatabase } from './database/data-source';
import { TransactionRunner } from './database/transaction-runner';
import { WechatClient } from './wechat/wechat.client';

export interface CoreOptions {
  config: AppConfig;
  /** Tests pass a ManualClock; otherwise the system clock (shiftable in test mode). */
  clock?: Clock;
  /** Tests pass an already migrated DataSource; otherwise one is opened from config. */
  dataSource?: DataSource;
  /** Where the logs go; stdout when not given. */
  logSink?: LogSink;
}

const REQUEST_ID = /^[\w.-]{8,64}$/;

/** Honour a caller's request id (a gateway's) when it looks like one; otherwise make one. */
export function requestId(req: { headers: Record<string, string | string[] | undefined> }): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/** Config, clock, the database and the WeChat client: what every feature module builds on (logging: bootstrap.ts). */
@Global()
@Module({})
export class CoreModule {
  static forRoot(options: CoreOptions): DynamicModule {
    const { config } = options;
    return {
      module: CoreModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => ({ ...dataSourceOptions(config.database), retryAttempts: 1, retryDelay: 500 }),
          dataSourceFactory: async (dataSourceOptionsFromFactory) => options.dataSource ?? openDatabase(dataSourceOptionsFromFactory!),
        }),
      ],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        // A test-mode process gets a clock its end-to-end tests can move (POST /api/test/clock); nothing else does.
        { provide: Clock, useValue: options.clock ?? (config.env === 'test' ? new ShiftedClock() : new SystemClock()) },
        TransactionRunner,
        {
          provide: WechatClient,
          useFactory: (clock: Clock) => new WechatClient({ ...config.wechat, apiBaseUrl: config.wechat.apiBaseUrl }, clock),
          inject: [Clock],
        },
      ],
      exports: [APP_CONFIG, Clock, TransactionRunner, WechatClient],
    };
  }
}
