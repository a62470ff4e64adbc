import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

describe('miniprogram/README.md', () => {
  it('lists the pages app.config.ts declares, with titles (regenerate: node miniprogram/scripts/pages-table.mjs --write)', async () => {
    const { pagesTable, BEGIN, END } = await import('../scripts/pages-table.mjs');
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    const block = readme.slice(readme.indexOf(BEGIN), readme.indexOf(END) + END.length);
    // Prettier pads the table's columns; compare the cells, not the padding.
    const cells = (table: string) => table.replace(/ *\| */g, '|').replace(/-{3,}/g, '---');
    expect(cells(block)).toBe(cells(pagesTable()));
  });
});
