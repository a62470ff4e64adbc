import { DomainError } from '../common/domain-error';
import { TEST_DATABASES } from '../testing/databases';
import { mintLoginCode } from '../testing/emulator';
import { startTestApp, type TestApp } from '../testing/test-app';
import { AuthService } from '../auth/auth.service';
import { AvatarService } from './avatar.service';

export const PNG_1x1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
const GIF_1x1 = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const codeOf = (error: unknown) => (error instanceof DomainError ? error.code : error);

describe.each(TEST_DATABASES)('avatars on %s', (kind) => {
  let t: TestApp;
  let avatars: AvatarService;
  let memberId: number;

  beforeAll(async () => {
    t = await startTestApp(kind);
    avatars = t.app.get(AvatarService);
    const { code } = await mintLoginCode(t.emulator.url, 'avatar-user');
    memberId = (await t.app.get(AuthService).login(code)).member.id;
  });
  afterAll(() => t?.close());

  it('stores an image, points the profile at it by hash, and replaces it on the next upload', async () => {
    const profile = await avatars.saveAvatar(memberId, PNG_1x1);
    expect(profile.avatarUrl).toMatch(/^\/api\/media\/avatars\/[0-9a-f]{64}$/);
    const sha = profile.avatarUrl!.split('/').pop()!;
    expect(await avatars.findAvatar(sha)).toEqual({ contentType: 'image/png', bytes: PNG_1x1 });

    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.from('JFIF\0'), Buffer.alloc(200, 1)]);
    const next = await avatars.saveAvatar(memberId, jpeg);
    expect(next.avatarUrl).not.toBe(profile.avatarUrl);
    expect(codeOf(await avatars.findAvatar(sha).catch((e) => e))).toBe('NOT_FOUND');
    expect((await avatars.findAvatar(next.avatarUrl!.split('/').pop()!)).contentType).toBe('image/jpeg');
  });

  it('refuses what is not a JPG, PNG or WebP image, judged by its bytes, and keeps the old avatar', async () => {
    const before = await avatars.saveAvatar(memberId, PNG_1x1);
    for (const bytes of [GIF_1x1, Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), Buffer.alloc(0), Buffer.from('%PDF-1.4 ...')]) {
      expect(codeOf(await avatars.saveAvatar(memberId, bytes).catch((e) => e))).toBe('AVATAR_INVALID');
    }
    expect(
      codeOf(await avatars.saveAvatar(memberId, Buffer.concat([PNG_1x1, Buffer.alloc(t.config.avatar.maxBytes)])).catch((e) => e)),
    ).toBe('AVATAR_TOO_LARGE');
    expect((await t.app.get(AuthService).login((await mintLoginCode(t.emulator.url, 'avatar-user')).code)).member.avatarUrl).toBe(
      before.avatarUrl,
    );
  });
});
