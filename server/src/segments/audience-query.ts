/**
 * An audience filter as SQL, for the modules that issue to an audience (campaigns): segments keeps its SQL in
 * audience-sql.ts, which other modules may not import (eslint's module boundary), so this is the door.
 */
export { audienceQuery, type AudienceQuery, type AudienceQueryContext } from './audience-sql';
