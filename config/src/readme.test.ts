import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * config/README.md is the repository's own account of the business rules: every setting in defaults.json is
 * explained there (meaning, default, unit, source). A setting added without a line in it fails here.
 */
describe('config/README.md', () => {
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
  const defaults = JSON.parse(readFileSync(join(__dirname, '..', 'defaults.json'), 'utf8')) as Record<string, unknown>;
  const named = new Set([...readme.matchAll(/`([a-zA-Z][\w.[\]]*)`/g)].map((match) => match[1]));

  /** A key is documented when the README names it, or names every key inside it. */
  const undocumented = (value: unknown, path: string): string[] => {
    if (named.has(path)) return [];
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const children = Object.entries(value).filter(([key]) => key !== '$comment');
      if (children.length > 0) return children.flatMap(([key, child]) => undocumented(child, `${path}.${key}`));
    }
    return [path];
  };

  it('explains every setting of defaults.json', () => {
    const missing = Object.entries(defaults)
      .filter(([key]) => key !== '$comment')
      .flatMap(([key, value]) => undocumented(value, key));
    expect(missing).toEqual([]);
  });

  it('is what defaults.json and the code point to for the rules', () => {
    expect(String(defaults.$comment)).toContain('config/README.md');
  });
});
