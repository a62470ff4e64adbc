export * from './api';
export * from './calendar';
export * from './enums';
export * from './errors';
export * from './money';
export * from './rules/birthday';
export * from './rules/tier-progress';
