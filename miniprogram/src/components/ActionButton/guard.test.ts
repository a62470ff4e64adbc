import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { guardHandlers } from './guard';

describe('guardHandlers', () => {
  it('drops taps, phone codes and every other on… handler while the button is inactive', () => {
    const calls: string[] = [];
    const props = {
      id: 'x',
      onClick: () => calls.push('click'),
      onGetPhoneNumber: () => calls.push('phone'),
      onChooseAvatar: () => calls.push('avatar'),
    };
    const inactive = guardHandlers(props, true);
    inactive.onClick();
    inactive.onGetPhoneNumber();
    inactive.onChooseAvatar();
    expect(calls).toEqual([]);
    expect(inactive.id).toBe('x');

    const active = guardHandlers(props, false);
    active.onClick();
    active.onGetPhoneNumber();
    expect(calls).toEqual(['click', 'phone']);
  });

  it('passes what a handler returns and its arguments through when active', () => {
    const active = guardHandlers({ onClick: (event: { n: number }) => event.n * 2 }, false);
    expect(active.onClick({ n: 21 })).toBe(42);
  });
});

/** Every button of the app goes through ActionButton: a raw Taro Button would bring the visual-only guard back. */
describe('buttons in the mini-program', () => {
  const src = join(__dirname, '..', '..');
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.tsx$/.test(name)) files.push(path);
    }
  };
  walk(src);

  it('never use Taro’s Button directly outside ActionButton', () => {
    const offenders = files
      .filter((file) => !file.includes(join('components', 'ActionButton')))
      .filter((file) => /import\s*{[^}]*\bButton\b[^}]*}\s*from\s*'@tarojs\/components'/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(src, file));
    expect(offenders).toEqual([]);
  });
});
