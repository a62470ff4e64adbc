import type { INestApplicationContext } from '@nestjs/common';
import { PayCheckoutService } from './pay-checkout.service';
import { PayCompletionService } from './pay-completion.service';
import { PayReconciliation } from './pay-reconcile.service';
import { PayRefundsService } from './pay-refunds.service';
import { PayViews } from './pay-views.service';

/** The pay use cases under one name for tests (they were one PaymentsService before issue 15 split it by use case). */
export function payServices(app: INestApplicationContext) {
  const checkout = app.get(PayCheckoutService);
  const completion = app.get(PayCompletionService);
  const refunds = app.get(PayRefundsService);
  const views = app.get(PayViews);
  const reconciliation = app.get(PayReconciliation);
  return {
    checkout: checkout.checkout.bind(checkout),
    create: checkout.create.bind(checkout),
    get: checkout.get.bind(checkout),
    cancel: checkout.cancel.bind(checkout),
    applyTransaction: completion.applyTransaction.bind(completion),
    applyRefund: refunds.applyRefund.bind(refunds),
    refund: refunds.refund.bind(refunds),
    staffOrder: views.staffOrder.bind(views),
    staffOrders: views.staffOrders.bind(views),
    reconcile: reconciliation.reconcile.bind(reconciliation),
  };
}

export type PayServices = ReturnType<typeof payServices>;
