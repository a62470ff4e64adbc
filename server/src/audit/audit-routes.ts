import { type DynamicModule, type ForwardReference, type Type } from '@nestjs/common';
import { GUARDS_METADATA, INTERCEPTORS_METADATA, MODULE_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { StaffGuard } from '../auth/auth.guards';
import { AuditInterceptor } from './audit.interceptor';

type ModuleEntry = Type | DynamicModule | ForwardReference | Promise<DynamicModule> | undefined;

const guardsOf = (target: object): unknown[] => (Reflect.getMetadata(GUARDS_METADATA, target) as unknown[] | undefined) ?? [];

/** A guard given as a class or an instance, StaffGuard itself or one built on it. */
const isStaffGuard = (guard: unknown): boolean =>
  guard === StaffGuard ||
  guard instanceof StaffGuard ||
  (typeof guard === 'function' && (guard as { prototype?: unknown }).prototype instanceof StaffGuard);

/** Every controller class reachable from the root module, through static and dynamic imports. */
function controllersOf(root: ModuleEntry, seen = new Set<unknown>(), found = new Set<Type>()): Set<Type> {
  if (!root || root instanceof Promise) return found;
  const entry = 'forwardRef' in root ? root.forwardRef() : root;
  if (seen.has(entry)) return found;
  seen.add(entry);
  const dynamic = 'module' in entry ? (entry as DynamicModule) : undefined;
  const moduleClass = dynamic ? dynamic.module : (entry as Type);
  const metadata = (key: string) => (Reflect.getMetadata(key, moduleClass) as unknown[] | undefined) ?? [];
  for (const controller of [...metadata(MODULE_METADATA.CONTROLLERS), ...(dynamic?.controllers ?? [])]) found.add(controller as Type);
  for (const imported of [...metadata(MODULE_METADATA.IMPORTS), ...(dynamic?.imports ?? [])]) {
    controllersOf(imported as ModuleEntry, seen, found);
  }
  return found;
}

/**
 * Attaches the AuditInterceptor to exactly the routes behind StaffGuard: the only routes that can have anything
 * to audit (the interceptor records nothing without a staff account on the request, and only StaffGuard puts one
 * there). As a global interceptor it made Nest wrap every request of every route, the members' flash claims
 * included, in an rxjs chain that was 5 % of the server's CPU under load, to then pass it straight through.
 * Decided from the routes' own guard metadata, so a new staff route is audited without anyone remembering to.
 *
 * Must run before Nest scans the modules (it registers the interceptor in each controller's module then). The
 * metadata is the class, not an instance, so each application built in one process gets its own interceptor;
 * running it again changes nothing.
 */
export function auditStaffRoutes(root: DynamicModule): number {
  let audited = 0;
  for (const controller of controllersOf(root)) {
    const staffController = guardsOf(controller).some(isStaffGuard);
    const names = new Set<string>();
    for (let proto = controller.prototype; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
      for (const name of Object.getOwnPropertyNames(proto)) names.add(name);
    }
    for (const name of names) {
      if (name === 'constructor') continue;
      const handler = (controller.prototype as Record<string, unknown>)[name];
      if (typeof handler !== 'function' || Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
      if (!staffController && !guardsOf(handler).some(isStaffGuard)) continue;
      const interceptors = (Reflect.getMetadata(INTERCEPTORS_METADATA, handler) as unknown[] | undefined) ?? [];
      // First, so it wraps whatever else the route adds, as it did when it was global.
      if (!interceptors.includes(AuditInterceptor))
        Reflect.defineMetadata(INTERCEPTORS_METADATA, [AuditInterceptor, ...interceptors], handler);
      audited++;
    }
  }
  return audited;
}

/** Whether auditStaffRoutes attached the audit to a route handler. */
export function isAuditedHandler(handler: object): boolean {
  return ((Reflect.getMetadata(INTERCEPTORS_METADATA, handler) as unknown[] | undefined) ?? []).includes(AuditInterceptor);
}
