/**
 * Forms that guide (issue 16): after a refused submit the page scrolls to the first field in red, in the order
 * the fields stand on the page. Pure, so the order is tested without a browser.
 */
export function firstErrorField<F extends string>(order: readonly F[], errors: Partial<Record<F, string | undefined>>): F | null {
  return order.find((field) => Boolean(errors[field])) ?? null;
}

/** A coupon's or campaign's name for its copy: "<name> 副本", cut so it stays within the name's limit. */
export function copyName(name: string, maxLength = 40): string {
  const suffix = ' 副本';
  const chars = Array.from(name);
  return chars.length + suffix.length <= maxLength ? `${name}${suffix}` : `${chars.slice(0, maxLength - suffix.length).join('')}${suffix}`;
}

/**
 * After a refused submit, what is still red once the person changed something: only fields that were red and
 * are still wrong (a field turns back as soon as it is right, and nothing new turns red while typing).
 */
export function stillWrong<F extends string>(
  shown: Partial<Record<F, string | undefined>>,
  now: Partial<Record<F, string | undefined>> | null,
): Partial<Record<F, string>> {
  const remaining: Partial<Record<F, string>> = {};
  for (const field of Object.keys(shown) as F[]) {
    const message = now?.[field];
    if (shown[field] && message) remaining[field] = message;
  }
  return remaining;
}
