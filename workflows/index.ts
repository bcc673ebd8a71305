// The workflow bundle's entry point: every workflow type the worker runs.
export { orderWorkflow } from './order';
export { buyerQuotaWorkflow } from './quota';
export { reconciliationWorkflow } from './reconciliation';
export { latePaymentWorkflow } from './late-payment';
