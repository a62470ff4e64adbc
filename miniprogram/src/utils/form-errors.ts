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
