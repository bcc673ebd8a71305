import type { OrderInput } from '../../domain/order';
import type { OrderStatus } from '../../domain/order-api';
import type { Buyer } from './orders';
import type { Run } from './run';

// What one path of an order is, in a module of its own: paths.ts lists every path, those of customs-paths.ts and
// money-paths.ts included, which import this type without importing the list back.

export interface Scenario {
  /** The history's file name, and how the demo and the recorder pick the path. */
  name: string;
  /** What happens to the order, in a few words. */
  title: string;
  /** An order left for an operator has no end to record. */
  demoOnly?: true;
  /** The order, with ids that start with `prefix`, for `buyer` (unless the path needs a buyer of its own). */
  input(prefix: string, buyer: Buyer): OrderInput;
  /** Checks the order out and drives it to the end of its path; returns its status there. */
  drive(run: Run, order: OrderInput): Promise<OrderStatus>;
}
