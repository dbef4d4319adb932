/**
 * `@qt/orchestrator`: approves or rejects trading signals against the live policy, the top
 * opportunities, strategy lifecycles, open positions, risk per trade and system health, all
 * learned from events on the bus.
 *
 * @packageDocumentation
 * @module @qt/orchestrator
 */
export {
  NoPolicyError,
  OrchestratorError,
  type OrchestratorErrorCode,
  RiskInputError,
  SignalValidationError,
} from "./errors.js";
export { Orchestrator, type OrchestratorOptions } from "./orchestrator.js";
export { PortfolioBalancer, type PortfolioBalancerOptions, type Position } from "./portfolio-balancer.js";
export {
  type Approval,
  describeReason,
  type Rejection,
  type RejectionCode,
  type RejectionReason,
  type SignalDecision,
} from "./rejection.js";
export {
  type RiskCheck,
  type RiskCheckInput,
  RiskCheckInputSchema,
  RiskGuard,
  type RiskGuardOptions,
  type RiskInput,
  RiskInputSchema,
} from "./risk-guard.js";
export { SafetyGovernor, type SafetyGovernorOptions } from "./safety-governor.js";
export { parseSignal, type Signal, type SignalInput, SignalSchema } from "./signal.js";
