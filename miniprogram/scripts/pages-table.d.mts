export const BEGIN: string;
export const END: string;
export function pagesOf(srcDir?: string): Array<{ path: string; title: string; package: string }>;
export function pagesTable(srcDir?: string): string;
