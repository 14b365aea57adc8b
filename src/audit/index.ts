// `rampart/audit`: the engine behind `rampart audit`, for test suites and
// scripts that want the report as data (e.g. "staging must stay A+").
export { runAudit, prepareAudit, AuditError, type AuditPlan } from './engine.js';
export { CHECK_IDS, CHECKS, type CheckDefinition, type CheckId } from './catalog.js';
export { loadConfig, ConfigError, DEFAULT_CONFIG_FILE, type AuditConfigFile } from './config.js';
export {
  DEFAULT_MAX_REQUESTS,
  MAX_REQUESTS_CAP,
  DEFAULT_RATE_LIMIT_REQUESTS,
  RATE_LIMIT_REQUESTS_CAP,
  DEFAULT_LIVENESS_PATHS,
  DEFAULT_READINESS_PATHS,
  type AuditOptions,
} from './options.js';
export { gradeOf, RUBRIC } from './observatory/rubric.js';
export { toHtml } from './report/html.js';
export { toJson, REPORT_VERSION } from './report/json.js';
export { toSarif } from './report/sarif.js';
export { renderReport, renderBanner, style as textStyle, type Style } from './report/text.js';
export type { AuditReport, Finding, Evidence, Grade, ObservatoryScore, ObservatoryTest, Outcome, RuleAction, Severity, Category, PlannedProbe } from './types.js';
