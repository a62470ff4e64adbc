/**
 * Moved to dialect.ts (issue 15): the MySQL/SQLite differences live there. Kept so files being rewritten in
 * parallel still compile; import from './dialect' in new code. Delete once nothing imports this file.
 */
export { execute, forUpdate, sqlDate, sqlDateValue } from './dialect';
