// The error of an order that breaks its rules, in a module of its own so that the pricing can throw it too
// (order.ts imports the pricing). Its message lists each problem, each starting with the rule's name.

export class InvalidOrderError extends Error {
  override name = 'InvalidOrderError';
}
