import { STAFF_ROLE_LABELS, type RuntimeSettingVersionView, type RuntimeSettingView, type StaffRole } from '@member/shared';
import { Alert, App as AntApp, Button, Card, Drawer, Form, Input, InputNumber, Modal, Space, Table, Tag, Timeline, Typography } from 'antd';
import { useState, type ReactNode } from 'react';
import { api, ApiError } from '../api';
import { PageState } from '../components/PageState';
import { useLoad } from '../hooks';

/** Names of the fields inside the settings' values (the config's own keys), as HQ reads them. */
const FIELD_LABELS: Record<string, string> = {
  maxPoints: '最多积分',
  maxCouponFaceFen: '券面额上限（分）',
  store: '门店登记（分钟）',
  online: '线上提交（分钟）',
  start: '开始（HH:MM）',
  end: '结束（HH:MM）',
  maxMessages: '最多条数',
  perDays: '统计天数',
  value: '数值',
  ...(STAFF_ROLE_LABELS as Record<StaffRole, string>),
};
const labelOf = (key: string) => FIELD_LABELS[key] ?? key;
const time = (iso: string | null) => (iso ? new Date(iso).toLocaleString('zh-CN', { hour12: false }) : '—');

/** A value as a short line: `门店登记 60 · 线上提交 30`, nested for per-role limits. */
function describe(value: unknown): ReactNode {
  if (value === null || typeof value !== 'object') return String(value);
  return (
    <Space direction='vertical' size={0}>
      {Object.entries(value as Record<string, unknown>).map(([key, inner]) =>
        inner !== null && typeof inner === 'object' ? (
          <span key={key}>
            {labelOf(key)}：
            {Object.entries(inner as Record<string, unknown>)
              .map(([k, v]) => `${labelOf(k)} ${String(v)}`)
              .join(' · ')}
          </span>
        ) : (
          <span key={key}>
            {labelOf(key)} {String(inner)}
          </span>
        ),
      )}
    </Space>
  );
}

/**
 * 设置 (HQ only): the business rules that may change without a deploy. Each save is a new version with its reason;
 * the history shows who changed what when, and any earlier version can be restored (as a new version). Values are
 * checked by the server with the config's own rules; a rule never changed here shows the config's value.
 */
export default function SettingsPage() {
  const loaded = useLoad(() => api<RuntimeSettingView[]>('staff/settings'), []);
  const [editing, setEditing] = useState<RuntimeSettingView | null>(null);
  const [history, setHistory] = useState<RuntimeSettingView | null>(null);
  return (
    <Card title='运行时设置' id='console-settings'>
      <Typography.Paragraph type='secondary'>
        以下业务规则可在线调整，保存后数秒内在所有服务器生效；每次修改都会留下版本记录（修改人、时间、原因），可随时回滚。
      </Typography.Paragraph>
      <PageState loaded={loaded} empty={(rows) => rows.length === 0}>
        {(rows) => (
          <Table<RuntimeSettingView>
            rowKey='key'
            pagination={false}
            dataSource={rows}
            rowClassName={(row) => `setting-row setting-${row.key.replace('.', '-')}`}
            columns={[
              {
                title: '设置项',
                render: (_: unknown, row) => (
                  <Space direction='vertical' size={0}>
                    <Typography.Text strong>{row.label}</Typography.Text>
                    <Typography.Text type='secondary' style={{ fontSize: 12 }}>
                      {row.description}
                    </Typography.Text>
                    <Typography.Text code style={{ fontSize: 12 }}>
                      {row.key}
                    </Typography.Text>
                  </Space>
                ),
              },
              { title: '当前值', render: (_: unknown, row) => <div className='setting-value'>{describe(row.value)}</div> },
              {
                title: '版本',
                render: (_: unknown, row) =>
                  row.version === 0 ? (
                    <Tag>配置默认</Tag>
                  ) : (
                    <Tag color='blue' className='setting-version'>
                      v{row.version}
                    </Tag>
                  ),
              },
              {
                title: '最近修改',
                render: (_: unknown, row) => (row.changedAt ? `${row.changedBy ?? '—'} · ${time(row.changedAt)}` : '—'),
              },
              {
                title: '操作',
                render: (_: unknown, row) => (
                  <Space>
                    <Button size='small' type='primary' className='setting-edit' onClick={() => setEditing(row)}>
                      修改
                    </Button>
                    <Button size='small' className='setting-history' onClick={() => setHistory(row)}>
                      历史
                    </Button>
                  </Space>
                ),
              },
            ]}
          />
        )}
      </PageState>
      <EditSetting
        setting={editing}
        onClose={() => setEditing(null)}
        onSaved={() => {
          setEditing(null);
          loaded.reload();
        }}
      />
      <History
        setting={history}
        onClose={() => setHistory(null)}
        onReverted={(next) => {
          setHistory(next);
          loaded.reload();
        }}
      />
    </Card>
  );
}

type Flat = Record<string, string | number>;
/** `{clerk: {maxPoints: 1}}` ↔ `{'clerk.maxPoints': 1}`: one form field per leaf. */
const flatten = (value: unknown, prefix = ''): Flat =>
  value !== null && typeof value === 'object'
    ? Object.entries(value as Record<string, unknown>).reduce<Flat>(
        (all, [key, inner]) => ({ ...all, ...flatten(inner, prefix ? `${prefix}.${key}` : key) }),
        {},
      )
    : { [prefix || 'value']: value as string | number };
function unflatten(flat: Flat, shape: unknown): unknown {
  if (shape === null || typeof shape !== 'object') return flat.value;
  const build = (node: unknown, prefix: string): unknown =>
    node !== null && typeof node === 'object'
      ? Object.fromEntries(
          Object.entries(node as Record<string, unknown>).map(([key, inner]) => [key, build(inner, prefix ? `${prefix}.${key}` : key)]),
        )
      : flat[prefix];
  return build(shape, '');
}

function EditSetting(props: { setting: RuntimeSettingView | null; onClose: () => void; onSaved: () => void }) {
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<{ fields: Flat; reason: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const setting = props.setting;
  const leaves = setting ? flatten(setting.value) : {};
  const save = async () => {
    if (!setting) return;
    const values = await form.validateFields();
    setBusy(true);
    setError(null);
    try {
      const flat = Object.fromEntries(Object.keys(leaves).map((path) => [path, values.fields[path]]));
      await api(`staff/settings/${setting.key}`, {
        method: 'POST',
        json: { value: unflatten(flat, setting.value), reason: values.reason, baseVersion: setting.version },
      });
      message.success('已保存，数秒内生效');
      props.onSaved();
    } catch (failure) {
      setError(failure instanceof ApiError ? failure.message : '保存失败，请稍后重试');
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open={setting !== null}
      title={`修改：${setting?.label ?? ''}`}
      okText='保存'
      okButtonProps={{ id: 'setting-save' }}
      confirmLoading={busy}
      onOk={() => void save()}
      onCancel={props.onClose}
      destroyOnHidden
    >
      {error && <Alert type='error' showIcon title={<span id='setting-error'>{error}</span>} style={{ marginBottom: 12 }} />}
      <Typography.Paragraph type='secondary'>{setting?.description}</Typography.Paragraph>
      <Form
        key={`${setting?.key}@${setting?.version}`}
        form={form}
        layout='horizontal'
        labelCol={{ span: 10 }}
        id='setting-form'
        initialValues={{ fields: leaves, reason: '' }}
      >
        {Object.entries(leaves).map(([path, value]) => (
          <Form.Item
            key={path}
            name={['fields', path]}
            label={path.split('.').filter(Boolean).map(labelOf).join(' · ')}
            rules={[{ required: true, message: '请填写' }]}
          >
            {typeof value === 'number' ? (
              <InputNumber id={`setting-field-${path.replace(/\./g, '-')}`} min={0} precision={0} style={{ width: 180 }} />
            ) : (
              <Input id={`setting-field-${path.replace(/\./g, '-')}`} style={{ width: 180 }} />
            )}
          </Form.Item>
        ))}
        <Form.Item name='reason' label='修改原因' rules={[{ required: true, min: 2, max: 200, message: '请填写修改原因（2–200 字）' }]}>
          <Input.TextArea id='setting-reason' rows={2} maxLength={200} placeholder='如：双十二期间提高补偿额度' />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function History(props: { setting: RuntimeSettingView | null; onClose: () => void; onReverted: (setting: RuntimeSettingView) => void }) {
  const { message, modal } = AntApp.useApp();
  const setting = props.setting;
  const versions = useLoad(
    () => (setting ? api<RuntimeSettingVersionView[]>(`staff/settings/${setting.key}/versions`) : Promise.resolve([])),
    [setting?.key, setting?.version],
  );
  const revert = (version: RuntimeSettingVersionView) => {
    let reason = '';
    modal.confirm({
      title: `回滚到 v${version.version}？`,
      content: (
        <Input.TextArea
          id='setting-revert-reason'
          rows={2}
          placeholder='回滚原因（必填）'
          onChange={(event) => (reason = event.target.value)}
        />
      ),
      okText: '回滚',
      okButtonProps: { id: 'setting-revert-ok' },
      onOk: async () => {
        if (reason.trim().length < 2) {
          message.error('请填写回滚原因');
          throw new Error('reason required');
        }
        try {
          const next = await api<RuntimeSettingView>(`staff/settings/${setting!.key}/revert`, {
            method: 'POST',
            json: { version: version.version, reason: reason.trim(), baseVersion: setting!.version },
          });
          message.success(`已回滚，当前为 v${next.version}`);
          props.onReverted(next);
        } catch (failure) {
          message.error(failure instanceof ApiError ? failure.message : '回滚失败，请稍后重试');
          throw failure;
        }
      },
    });
  };
  return (
    <Drawer open={setting !== null} size={560} title={`修改历史：${setting?.label ?? ''}`} onClose={props.onClose} destroyOnHidden>
      <PageState loaded={versions} empty={(rows) => rows.length === 0} emptyText='尚未修改过，当前为配置文件中的默认值'>
        {(rows) => (
          <div id='setting-history'>
            <Timeline
              items={rows.map((row) => ({
                color: row.version === setting?.version ? 'blue' : 'gray',
                children: (
                  <div className={`setting-history-item setting-history-v${row.version}`}>
                    <Space>
                      <Typography.Text strong>v{row.version}</Typography.Text>
                      {row.version === setting?.version && <Tag color='blue'>当前</Tag>}
                      {row.revertedFrom !== null && <Tag>回滚自 v{row.revertedFrom}</Tag>}
                    </Space>
                    <div className='setting-history-who'>
                      {row.changedBy ?? `员工 #${row.changedByStaffId}`} · {time(row.changedAt)}
                    </div>
                    <div>原因：{row.reason}</div>
                    <div style={{ margin: '4px 0' }}>{describe(row.value)}</div>
                    {row.version !== setting?.version && (
                      <Button size='small' className='setting-revert' onClick={() => revert(row)}>
                        回滚到此版本
                      </Button>
                    )}
                  </div>
                ),
              }))}
            />
          </div>
        )}
      </PageState>
    </Drawer>
  );
}
