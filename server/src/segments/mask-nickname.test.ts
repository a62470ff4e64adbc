import { maskNickname } from './audience.service';

describe('masked nicknames in the audience sample', () => {
  it('shows the first character and a fixed mask, whatever the length', () => {
    expect(maskNickname('张小明')).toBe('张**');
    expect(maskNickname('王五')).toBe('王**');
    expect(maskNickname('欧阳娜娜')).toBe('欧**');
    expect(maskNickname('Christopher')).toBe('C**');
    // Two names of different lengths that start alike are masked alike: the length is not told.
    expect(maskNickname('李四')).toBe(maskNickname('李四光明'));
  });

  it('counts characters, not UTF-16 units, and shows nothing of a one-character name', () => {
    expect(maskNickname('😀小红')).toBe('😀**');
    expect(maskNickname('明')).toBe('***');
    expect(maskNickname(' 明 ')).toBe('***');
    expect(maskNickname('')).toBe('***');
  });
});
