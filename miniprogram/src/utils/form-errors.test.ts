import { describe, expect, it } from '@jest/globals';
import { copyName, firstErrorField, stillWrong } from './form-errors';

describe('forms that guide', () => {
  it('finds the first red field in page order, not in the order the errors were found', () => {
    expect(firstErrorField(['name', 'value', 'stock'] as const, { stock: '请输入', value: '请输入' })).toBe('value');
    expect(firstErrorField(['name', 'value'] as const, { name: undefined })).toBeNull();
  });

  it('names a copy "… 副本" within the name limit', () => {
    expect(copyName('会员日满减券')).toBe('会员日满减券 副本');
    const long = '券'.repeat(40);
    expect(Array.from(copyName(long))).toHaveLength(40);
    expect(copyName(long).endsWith(' 副本')).toBe(true);
  });

  it('after a change keeps only what was red and is still wrong, with its current message', () => {
    const shown = { name: '请输入券名称', stock: '请输入发行总量' };
    expect(stillWrong(shown, { stock: '请输入发行总量（1–10,000,000 张）', value: '请输入减免金额' })).toEqual({
      stock: '请输入发行总量（1–10,000,000 张）',
    });
    expect(stillWrong(shown, null)).toEqual({});
  });
});
