/**
 * The methodology version: one number for every definition behind svr's
 * figures (docs/methodology.md, docs/risk-methodology.md). Raise it, with an
 * entry in docs/methodology-changelog.md, whenever a definition or a default
 * changes what an answer says; test/risk/methodology.test.ts holds a fixture
 * of answers per version and fails when they change under the same number.
 */
export const METHODOLOGY_VERSION = 1;
