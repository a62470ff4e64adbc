import { Logger } from '@nestjs/common';
import { ScheduledJob, type DeclaredJob } from '../../jobs/job.decorator';
import { PayReconciliation } from './pay-reconcile.service';

type Reconciled = Awaited<ReturnType<PayReconciliation['reconcile']>>;

/**
 * Recovers what notifications missed: queries unconfirmed orders and refunds at WeChat and closes expired
 * orders. Once per period across all instances (the jobs module claims it); each step is itself idempotent
 * anyway. Off (every 0) when WeChat Pay is not configured, as before: nothing to ask.
 */
@ScheduledJob({ name: 'pay-reconcile', every: (config) => (config.wechatPay ? config.payment.reconcileEverySeconds : 0) })
export class PayReconcileJob implements DeclaredJob<Reconciled> {
  private readonly logger = new Logger(PayReconcileJob.name);

  constructor(private readonly reconciliation: PayReconciliation) {}

  async run(): Promise<Reconciled> {
    const result = await this.reconciliation.reconcile();
    if (result.completed + result.closed + result.refundsSettled > 0) this.logger.log(result, 'pay reconciliation');
    return result;
  }

  outcome(result: Reconciled): string {
    return `${result.completed} completed, ${result.closed} closed, ${result.refundsSettled} refunds settled`;
  }
}
