/**
 * `@qt/executor`: a paper executor that fills orders at market with slippage and fees, tracks
 * positions and realised pnl, and publishes `trade.executed`.
 *
 * @packageDocumentation
 * @module @qt/executor
 */
export { ExecutorError, type ExecutorErrorCode } from "./errors.js";
export {
  type Fill,
  type Order,
  PaperExecutor,
  type PaperExecutorOptions,
  type PriceSource,
} from "./paper-executor.js";
export type { Position } from "./position.js";
