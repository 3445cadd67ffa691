export {compileTrackingRules, TrackingRuleError} from './compile';
export type {CompiledRules, TrackingRuleConfig} from './compile';
export {applyTracking} from './apply';
export type {TrackingConflict} from './apply';
