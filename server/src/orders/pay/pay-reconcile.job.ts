import type { AppConfig } from '@member/config';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectConfig } from '../../common/app-config';
import { Clock } from '../../common/clock';
import { JobRunner } from '../../jobs/job-runner';
import { PayReconciliation } from './pay-reconcile.service';
import { WechatPayClient } from './wechat-pay.client';

/**
 * Recovers what notifications missed: queries unconfirmed orders and refunds at WeChat and closes expired
 * orders. Once per period across all instances (runOnce); each step is itself idempotent anyway.
 */
@Injectable()
export class PayReconcileJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PayReconcileJob.name);
  private stop: () => void = () => undefined;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly reconciliation: PayReconciliation,
    private readonly wechatPay: WechatPayClient,
    private readonly jobs: JobRunner,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.wechatPay.configured) return;
    const every = this.config.payment.reconcileEverySeconds;
    this.stop = this.jobs.repeat(every, 'pay-reconcile', () => this.jobs.runOnce('pay-reconcile', JobRunner.periodOf(this.clock.now(), every), () => this.run()));
  }

  onApplicationShutdown(): void {
    this.stop();
  }

  async run(): Promise<string> {
    const result = await this.reconciliation.reconcile();
    const summary = `${result.completed} completed, ${result.closed} closed, ${result.refundsSettled} refunds settled`;
    if (result.completed + result.closed + result.refundsSettled > 0) this.logger.log(result, 'pay reconciliation');
    return summary;
  }
}
