// The library order systems import: connect, then start orders and act on them. It uses
// @temporalio/client only, never the worker's native core.

export { connectFromEnv } from './connect';
export {
  OrderRefusedError,
  WorkflowNotFoundError,
  cancelOrder,
  correctDeclaration,
  giveUpReturn,
  orderHandle,
  orderStatus,
  pollNow,
  requestRefund,
  resolveFailedRefund,
  reviewRealName,
  startOrder,
  type StartOrderOptions,
} from './orders';
export { InvalidOrderError, type OrderInput } from '../domain/order';
export { priceOrder, type PricedItem, type PricedOrder } from '../domain/order-pricing';
export { TAX_CATEGORIES, type TaxCategory } from '../domain/cross-border-tax';
export type {
  CheckoutResult,
  DeclarationCorrection,
  DeclarationView,
  OperatorAction,
  OrderStatus,
  RealNameDecision,
  RefundRequest,
  RefundResolution,
  RefundView,
  ReturnGiveUp,
  Stage,
} from '../domain/order-api';
