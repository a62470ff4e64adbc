/** Secrets for tests only: long enough for the config schema, useless anywhere else. */
export const TEST_SECRETS = {
  SESSION_SECRET: 'test-session-secret-0123456789abcdef',
  MEMBER_CODE_SECRET: 'test-member-code-secret-0123456789',
  PHONE_ENCRYPTION_KEY: Buffer.alloc(32, 9).toString('base64'),
};
