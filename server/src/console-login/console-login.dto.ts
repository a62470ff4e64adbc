import { z } from 'zod';

export const consoleTicketIdParam = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'not a console sign-in code') });
export const consolePollQuery = z.object({ secret: z.string().regex(/^[A-Za-z0-9_-]{16,128}$/, 'not a poll secret') });
