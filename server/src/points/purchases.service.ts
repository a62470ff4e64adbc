/**
 * Moved to server/src/orders (issue 15, point 5). Kept for modules being refactored in parallel that still
 * import it from here; import from '../orders/purchases.service' instead. Remove once nothing does.
 */
export * from '../orders/purchases.service';
