/** Public surface of the sandbox (used by scripts, integration tests and the benchmark). */
export {startSandbox, resolveOptions, DEMO_CREDENTIALS} from './server';
export type {Sandbox, SandboxOptions, SandboxStats, ResolvedOptions} from './server';
export {makeEnrollment, computeTruth, DEFAULT_MESS} from './enrollment';
export type {Enrollment, EnrollmentOptions, UsageRow, Metric, Truth, DayTruth, MessRates} from './enrollment';
export type {FaultOptions, FailedReportRule} from './faults';
export {ReportStore, renderReportTo, reportRows} from './report';
export {EaPageStore} from './ea-cache';
export type {RenderOptions, RenderedReport} from './report';
export {monthStyle} from './csv';
export {CURRENT_COLUMNS, LEGACY_COLUMNS, LEGACY_ALIASES} from './columns';
export {parseDec, formatDec, toCents} from './decimal';
