import { Inject } from '@nestjs/common';

/** DI token for the validated AppConfig tree (see config/). */
export const APP_CONFIG = Symbol('APP_CONFIG');
export const InjectConfig = () => Inject(APP_CONFIG);
