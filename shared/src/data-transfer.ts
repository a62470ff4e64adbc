import type { ExportRunStatus, ImportJobStatus, ImportRowStatus } from './enums';

/** Exports (issue 18): the file formats a console list can be downloaded in. */
export const EXPORT_FORMATS = ['csv', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** An export source the console may offer: its name (the URL segment) and its Chinese title. */
export interface ExportSourceView {
  name: string;
  title: string;
}

/** GET /api/staff/exports/runs/:runKey — how far a streamed export is (any instance answers). */
export interface ExportRunView {
  runKey: string;
  source: string;
  format: ExportFormat;
  status: ExportRunStatus;
  rowsTotal: number;
  rowsDone: number;
}

/** Why an import row is refused or skipped: stable codes, with the Chinese text in IMPORT_PROBLEM_TEXT. */
export const IMPORT_PROBLEMS = [
  'PHONE_MISSING',
  'PHONE_INVALID',
  'NAME_TOO_LONG',
  'BIRTHDAY_INVALID',
  'TIER_UNKNOWN',
  'POINTS_INVALID',
  'POINTS_NEGATIVE',
  'POINTS_EXPIRY_INVALID',
  'POINTS_EXPIRY_PAST',
  'EXTERNAL_ID_INVALID',
  'DUPLICATE_PHONE_IN_FILE',
  'DUPLICATE_EXTERNAL_ID_IN_FILE',
  'ALREADY_MEMBER',
  'EXTERNAL_ID_TAKEN',
] as const;
export type ImportProblem = (typeof IMPORT_PROBLEMS)[number];

export const IMPORT_PROBLEM_TEXT: Readonly<Record<ImportProblem, string>> = {
  PHONE_MISSING: '缺少手机号',
  PHONE_INVALID: '手机号格式不正确（应为 11 位中国大陆手机号）',
  NAME_TOO_LONG: '姓名超过 32 个字',
  BIRTHDAY_INVALID: '生日不是有效日期（格式 YYYY-MM-DD）',
  TIER_UNKNOWN: '未知的会员等级',
  POINTS_INVALID: '积分必须是整数',
  POINTS_NEGATIVE: '积分不能为负数',
  POINTS_EXPIRY_INVALID: '积分有效期不是有效日期（格式 YYYY-MM-DD）',
  POINTS_EXPIRY_PAST: '积分有效期已过',
  EXTERNAL_ID_INVALID: '外部编号只能包含字母、数字、-、_，最长 64 位',
  DUPLICATE_PHONE_IN_FILE: '手机号在文件中重复',
  DUPLICATE_EXTERNAL_ID_IN_FILE: '外部编号在文件中重复',
  ALREADY_MEMBER: '该手机号已是会员，将跳过',
  EXTERNAL_ID_TAKEN: '外部编号已属于其他会员',
};

/** One row of the dry-run report: the file's row number (header = row 1), what was read, and its problems. */
export interface ImportRowView {
  rowNo: number;
  status: ImportRowStatus;
  phoneMasked: string | null;
  name: string | null;
  birthday: string | null;
  tier: string | null;
  /** The tier's Chinese name (银卡会员), as the file may have said it. */
  tierName: string | null;
  points: number;
  pointsExpiresOn: string | null;
  externalId: string | null;
  /** Problems with the row number they collide with, where there is one ("same phone as row 7"). */
  problems: Array<{ code: ImportProblem; message: string }>;
  memberId: number | null;
}

export interface ImportJobView {
  id: number;
  fileName: string;
  status: ImportJobStatus;
  rowsTotal: number;
  rowsValid: number;
  rowsInvalid: number;
  rowsExisting: number;
  rowsImported: number;
  /** The last file row the import has committed: a resumed import starts after it. */
  cursorRow: number;
  createdAt: string;
  finishedAt: string | null;
}

export interface ImportRowsResponse {
  job: ImportJobView;
  rows: ImportRowView[];
  /** Pass as `afterRow` for the next page; null at the end. */
  nextAfterRow: number | null;
}
