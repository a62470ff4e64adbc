import { Logger } from '@nestjs/common';

// Services built outside a Nest app (unit tests) log through Nest's console logger; keep test output to
// warnings and errors. Apps built by the tests use pino at the configured level instead.
Logger.overrideLogger(['warn', 'error', 'fatal']);
