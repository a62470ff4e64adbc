import type { ExportSourceView, ImportJobView, ImportRowsResponse, ImportRowView } from '@member/shared';
import {
  App,
  Alert,
  Button,
  Card,
  Descriptions,
  Progress,
  Result,
  Segmented,
  Space,
  Statistic,
  Table,
  Tag,
  Typography,
  Upload,
} from 'antd';
import { useEffect, useRef, useState } from 'react';
import { api, ApiError, query } from '../api';
import { ExportButtons } from '../components/ExportButtons';
import { PageState } from '../components/PageState';
import { useLoad } from '../hooks';
import { loadSession } from '../session';

/** The heading of the import template (the server also accepts the English names). */
const TEMPLATE = '手机号,姓名,生日,等级,积分,积分有效期,外部编号\r\n13800138000,张三,1990-05-17,银卡会员,1200,2027-12-31,OLD-0001\r\n';

const STATUS: Record<ImportRowView['status'], { color: string; text: string }> = {
  valid: { color: 'green', text: '可导入' },
  invalid: { color: 'red', text: '有问题' },
  existing: { color: 'default', text: '已是会员' },
  imported: { color: 'blue', text: '已导入' },
};

const JOB_STATUS: Record<ImportJobView['status'], string> = { checked: '待导入', importing: '导入中', done: '已完成' };

function downloadTemplate() {
  // A BOM, so Excel opens the Chinese heading as Chinese.
  const url = URL.createObjectURL(new Blob([`\uFEFF${TEMPLATE}`], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = '会员导入模板.csv';
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Upload → dry-run report row by row → import with progress (resumable: a stopped import continues where it was). */
function MemberImport() {
  const { message } = App.useApp();
  const [report, setReport] = useState<ImportRowsResponse | null>(null);
  const [only, setOnly] = useState<'problems' | 'all'>('problems');
  const [uploading, setUploading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [job, setJob] = useState<ImportJobView | null>(null);
  const polling = useRef(false);
  useEffect(
    () => () => {
      polling.current = false;
    },
    [],
  );

  async function upload(file: File) {
    setUploading(true);
    setError(null);
    setReport(null);
    setJob(null);
    try {
      const form = new FormData();
      form.append('file', file, file.name);
      const checked = await api<ImportRowsResponse>('staff/imports', { method: 'POST', body: form });
      setOnly('problems');
      setReport(checked);
      setJob(checked.job);
    } catch (failure) {
      setError(failure instanceof ApiError ? failure.message : '上传失败，请重试');
    } finally {
      setUploading(false);
    }
  }

  async function showRows(mode: 'problems' | 'all', afterRow = 0) {
    if (!job) return;
    const page = await api<ImportRowsResponse>(`staff/imports/${job.id}/rows${query({ only: mode, afterRow })}`);
    setOnly(mode);
    setReport((current) => (afterRow > 0 && current ? { ...page, rows: [...current.rows, ...page.rows] } : page));
  }

  /** Polls the import until it is done, or until it has not moved for ~10 s (its server stopped: 继续导入 resumes it). */
  async function follow(id: number): Promise<boolean> {
    polling.current = true;
    let cursor = -1;
    let still = 0;
    let finished = false;
    while (polling.current && still < 12) {
      const now = await api<ImportJobView>(`staff/imports/${id}`).catch(() => null);
      if (now?.status === 'done') finished = true;
      if (finished) {
        polling.current = false;
        setJob(now);
        break;
      }
      if (now) {
        still = now.cursorRow === cursor ? still + 1 : 0;
        cursor = now.cursorRow;
        if (still >= 12) polling.current = false;
        setJob(now);
      }
      await new Promise((resolve) => setTimeout(resolve, 800));
    }
    polling.current = false;
    await showRows(only).catch(() => undefined);
    return finished;
  }

  async function start() {
    if (!job) return;
    try {
      setJob(await api<ImportJobView>(`staff/imports/${job.id}/start`, { method: 'POST' }));
      if (await follow(job.id)) message.success('导入完成');
      else message.warning('导入暂停了，可点击“继续导入”从中断处继续');
    } catch (failure) {
      message.error(failure instanceof ApiError ? failure.message : '导入失败，请重试');
    }
  }

  const recent = useLoad(() => api<ImportJobView[]>('staff/imports'), [job?.id, job?.status]);

  async function open(id: number) {
    const page = await api<ImportRowsResponse>(`staff/imports/${id}/rows${query({ only: 'problems' })}`);
    setOnly('problems');
    setError(null);
    setReport(page);
    setJob(page.job);
    // Running somewhere (another tab, another server): follow its progress; a stopped one offers 继续导入.
    if (page.job.status === 'importing' && !polling.current) void follow(id);
  }

  const importable = job ? job.rowsValid : 0;
  const done = job ? Math.max(0, job.cursorRow - 1) : 0;
  return (
    <Card
      id='member-import'
      title='会员导入'
      extra={
        <Button type='link' onClick={downloadTemplate} id='import-template'>
          下载导入模板
        </Button>
      }
    >
      <Typography.Paragraph type='secondary'>
        上传 CSV 或
        Excel（.xlsx）文件：先检查每一行（不会导入），确认无误后再开始导入。手机号加密保存；已是会员的手机号会跳过；中途中断可继续导入，不会重复。
      </Typography.Paragraph>
      <Upload.Dragger
        id='import-upload'
        accept='.csv,.xlsx'
        showUploadList={false}
        disabled={uploading || job?.status === 'importing'}
        beforeUpload={(file) => {
          void upload(file);
          return false;
        }}
      >
        <p style={{ fontSize: 16, margin: '8px 0' }}>{uploading ? '正在检查…' : '点击或拖拽文件到这里上传'}</p>
        <p style={{ color: '#888' }}>列：手机号（必填）、姓名、生日、等级、积分、积分有效期、外部编号</p>
      </Upload.Dragger>
      {error && <Alert id='import-error' type='error' showIcon title={error} style={{ marginTop: 16 }} />}
      {job && report && (
        <div id='import-report' style={{ marginTop: 24 }}>
          <Space size={48} style={{ display: 'flex', marginBottom: 16 }}>
            <Statistic title='总行数' value={job.rowsTotal} />
            <Statistic title='可导入' value={job.rowsValid} valueStyle={{ color: '#389e0d' }} />
            <Statistic title='有问题' value={job.rowsInvalid} valueStyle={{ color: job.rowsInvalid ? '#cf1322' : undefined }} />
            <Statistic title='已是会员（跳过）' value={job.rowsExisting} />
            <Statistic title='已导入' value={job.rowsImported} valueStyle={{ color: '#1677ff' }} />
          </Space>
          {job.status === 'done' ? (
            <Result
              className='import-done'
              status='success'
              title={`导入完成：新增 ${job.rowsImported} 名会员`}
              subTitle={`跳过已有会员 ${job.rowsExisting} 名，有问题未导入 ${job.rowsInvalid} 行`}
              style={{ padding: '16px 0' }}
            />
          ) : job.status === 'importing' ? (
            <div id='import-progress' style={{ margin: '8px 0 16px' }}>
              <Progress percent={job.rowsTotal ? Math.floor((done / job.rowsTotal) * 100) : 0} status='active' />
              <Typography.Text type='secondary'>
                已处理 {done} / {job.rowsTotal} 行
              </Typography.Text>
              {!polling.current && (
                <Button style={{ marginLeft: 16 }} onClick={() => void start()} id='import-resume'>
                  继续导入
                </Button>
              )}
            </div>
          ) : (
            <Space style={{ display: 'flex', marginBottom: 16 }}>
              <Button type='primary' id='import-start' disabled={importable === 0} onClick={() => void start()}>
                开始导入 {importable} 名会员
              </Button>
              {importable === 0 && <Typography.Text type='secondary'>没有可导入的行</Typography.Text>}
            </Space>
          )}
          <div>
            <Segmented
              id='import-filter'
              value={only}
              onChange={(value) => void showRows(value as 'problems' | 'all')}
              options={[
                { label: '只看问题行', value: 'problems' },
                { label: '全部行', value: 'all' },
              ]}
              style={{ marginBottom: 12 }}
            />
          </div>
          <Table<ImportRowView>
            id='import-rows'
            rowKey='rowNo'
            size='small'
            pagination={false}
            dataSource={report.rows}
            locale={{ emptyText: only === 'problems' ? '所有行都检查通过' : '暂无数据' }}
            columns={[
              { title: '行号', dataIndex: 'rowNo', width: 70 },
              {
                title: '状态',
                dataIndex: 'status',
                width: 100,
                render: (status: ImportRowView['status']) => <Tag color={STATUS[status].color}>{STATUS[status].text}</Tag>,
              },
              { title: '手机号', dataIndex: 'phoneMasked', width: 130, render: (v: string | null) => v ?? '—' },
              { title: '姓名', dataIndex: 'name', width: 120, render: (v: string | null) => v ?? '—' },
              { title: '等级', dataIndex: 'tierName', width: 100, render: (v: string | null) => v ?? '—' },
              { title: '积分', dataIndex: 'points', width: 90 },
              { title: '积分有效期', dataIndex: 'pointsExpiresOn', width: 120, render: (v: string | null) => v ?? '—' },
              {
                title: '问题',
                dataIndex: 'problems',
                render: (problems: ImportRowView['problems']) =>
                  problems.length === 0 ? '—' : problems.map((p) => <div key={p.code}>{p.message}</div>),
              },
            ]}
          />
          {report.nextAfterRow !== null && (
            <Button style={{ marginTop: 12 }} onClick={() => void showRows(only, report.nextAfterRow!)} id='import-more'>
              加载更多
            </Button>
          )}
        </div>
      )}
      <Typography.Title level={5} style={{ marginTop: 32 }}>
        最近的导入
      </Typography.Title>
      <PageState loaded={recent} empty={(list) => list.length === 0} emptyText='还没有导入过'>
        {(list) => (
          <Table<ImportJobView>
            id='import-jobs'
            rowKey='id'
            size='small'
            pagination={false}
            dataSource={list.slice(0, 10)}
            columns={[
              { title: '文件', dataIndex: 'fileName' },
              {
                title: '上传时间',
                dataIndex: 'createdAt',
                width: 180,
                render: (v: string) => new Date(v).toLocaleString('zh-CN', { hour12: false }),
              },
              { title: '状态', dataIndex: 'status', width: 100, render: (v: ImportJobView['status']) => JOB_STATUS[v] },
              { title: '总行数', dataIndex: 'rowsTotal', width: 90 },
              { title: '已导入', dataIndex: 'rowsImported', width: 90 },
              {
                title: '',
                width: 90,
                render: (_: unknown, row) => (
                  <Button type='link' size='small' onClick={() => void open(row.id)}>
                    查看
                  </Button>
                ),
              },
            ]}
          />
        )}
      </PageState>
    </Card>
  );
}

/** The lists this role may export, each with its CSV / Excel buttons. */
function Exports() {
  const sources = useLoad(() => api<ExportSourceView[]>('staff/exports'), []);
  const session = loadSession();
  return (
    <Card id='exports' title='数据导出' style={{ marginTop: 24 }}>
      <Typography.Paragraph type='secondary'>
        {session?.role === 'admin' ? '导出全部门店的数据。' : `仅导出您门店（${session?.stores.join('、')}）的数据。`}
        会员手机号一律脱敏导出。CSV 可直接用 Excel 打开。
      </Typography.Paragraph>
      <PageState loaded={sources} empty={(list) => list.length === 0} emptyText='暂无可导出的数据'>
        {(list) => (
          <Descriptions column={1} bordered size='middle'>
            {list.map((source) => (
              <Descriptions.Item key={source.name} label={source.title}>
                <ExportButtons source={source.name} fileName={source.title} />
              </Descriptions.Item>
            ))}
          </Descriptions>
        )}
      </PageState>
    </Card>
  );
}

/** 导入导出: every list's export (managers: their stores), and HQ's member import. */
export default function ImportPage() {
  const session = loadSession();
  return (
    <div id='data-transfer'>
      {session?.role === 'admin' && <MemberImport />}
      <Exports />
    </div>
  );
}
