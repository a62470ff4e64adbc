import type { DataSource } from 'typeorm';

/**
 * Members whose grant in our ledger differs from WeChat's quota (the emulator's), per template: empty when the
 * two agree. Tests call it after every test that sends messages.
 */
export async function grantMismatches(
  dataSource: DataSource,
  emulatorUrl: string,
): Promise<Array<{ openid: string; templateId: string; ours: number; wechat: number }>> {
  const ours = (await dataSource.query(
    'SELECT m.openid, g.template_id AS templateId, g.remaining FROM message_grant g JOIN member m ON m.id = g.member_id',
  )) as Array<{ openid: string; templateId: string; remaining: number | string }>;
  const templates = [...new Set(ours.map((row) => row.templateId))];
  const wechat = new Map<string, Record<string, number>>();
  for (const templateId of templates) {
    const answer = (await (await fetch(`${emulatorUrl}/dev/quota?template_id=${encodeURIComponent(templateId)}`)).json()) as {
      quota: Record<string, number>;
    };
    wechat.set(templateId, answer.quota);
  }
  return ours
    .map((row) => ({
      openid: row.openid,
      templateId: row.templateId,
      ours: Number(row.remaining),
      wechat: wechat.get(row.templateId)?.[row.openid] ?? 0,
    }))
    .filter((row) => row.ours !== row.wechat);
}
