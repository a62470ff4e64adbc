import { z } from 'zod';
import { idParam } from '../common/validation';

export const historyQuery = z.strictObject({ before: idParam.optional() });
