/**
 * Taro's H5 `<Button disabled>` is drawn grey but still runs its tap handler (and weapp runs `openType`
 * handlers such as getPhoneNumber whatever the page thinks), so a disabled look is no guard at all. This wraps
 * every `on…` handler of a button's props so that, while the button is disabled or loading, a tap does nothing.
 */
export function guardHandlers<P extends Record<string, unknown>>(props: P, inactive: boolean): P {
  const guarded: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(props)) {
    if (/^on[A-Z]/.test(key) && typeof value === 'function') {
      const handler = value as (...args: unknown[]) => unknown;
      guarded[key] = (...args: unknown[]) => (inactive ? undefined : handler(...args));
    } else {
      guarded[key] = value;
    }
  }
  return guarded as P;
}
