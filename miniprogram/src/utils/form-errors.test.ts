import { describe, expect, it } from '@jest/globals';
import { copyName, firstErrorField } from './form-errors';

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
});
