import { PhoneVault } from './phone-vault';

describe('PhoneVault', () => {
  const vault = new PhoneVault(Buffer.alloc(32, 3).toString('base64'));

  it('seals and opens a number, with a fresh IV each time', () => {
    const normalized = PhoneVault.normalize('86', '138-0013-8000');
    expect(normalized).toBe('+86 13800138000');
    const a = vault.seal(normalized);
    const b = vault.seal(normalized);
    expect(a).not.toBe(b);
    expect(a).not.toContain('13800138000');
    expect(vault.open(a)).toBe(normalized);
  });

  it('detects a tampered ciphertext', () => {
    const sealed = vault.seal('+86 13800138000');
    const raw = Buffer.from(sealed.slice(3), 'base64');
    raw[raw.length - 1] ^= 1;
    expect(() => vault.open(`v1.${raw.toString('base64')}`)).toThrow();
  });

  it('hashes deterministically per key, so look-ups work but another key gives another hash', () => {
    const other = new PhoneVault(Buffer.alloc(32, 4).toString('base64'));
    expect(vault.lookupHash('+86 13800138000')).toBe(vault.lookupHash('+86 13800138000'));
    expect(vault.lookupHash('+86 13800138000')).not.toBe(other.lookupHash('+86 13800138000'));
    expect(vault.lookupHash('+86 13800138000')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('masks numbers for display', () => {
    expect(PhoneVault.mask('13800138000')).toBe('138****8000');
    expect(PhoneVault.mask('91234567')).toBe('912****67');
  });
});
