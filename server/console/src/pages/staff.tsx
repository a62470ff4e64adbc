import {
  STAFF_ROLE_LABELS,
  staffInviteQrContent,
  type StaffAdminView,
  type StaffInviteCreatedView,
  type StaffInviteView,
  type StaffRole,
  type StoreAdminView,
} from '@member/shared';
import { Alert, App as AntApp, Button, Card, Form, Input, Modal, Popconfirm, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import QRCode from 'qrcode';
import { useEffect, useState } from 'react';
import { api, ApiError } from '../api';
import { PageState } from '../components/PageState';
import { useLoad } from '../hooks';
import { loadSession } from '../session';

const INVITE_STATUS: Record<StaffInviteView['status'], { text: string; color: string }> = {
  pending: { text: '待接受', color: 'processing' },
  accepted: { text: '已加入', color: 'success' },
  revoked: { text: '已撤销', color: 'default' },
  expired: { text: '已过期', color: 'warning' },
};
const SOURCE_LABELS: Record<StaffAdminView['source'], string> = { config: '配置文件', cli: '命令行', invite: '扫码邀请' };
const time = (iso: string | null) => (iso ? new Date(iso).toLocaleString('zh-CN', { hour12: false }) : '—');
const message = (failure: unknown) => (failure instanceof ApiError ? failure.message : '操作失败，请稍后重试');

/**
 * 门店与员工: the stores with their staff counts (HQ closes and reopens a store), the staff with role and stores
 * (change, disable), and staff invites by QR code. HQ manages everyone; a store manager the clerks of their own
 * stores (the server decides; the page only hides what would be refused). Accounts from config are read-only here.
 */
export default function StaffPage() {
  const session = loadSession()!;
  const isHq = session.role === 'admin';
  const { message: toast } = AntApp.useApp();
  const stores = useLoad(() => api<StoreAdminView[]>('staff/admin/stores'), []);
  const staff = useLoad(() => api<StaffAdminView[]>('staff/admin/staff'), []);
  const invites = useLoad(() => api<StaffInviteView[]>('staff/admin/invites'), []);
  const [editing, setEditing] = useState<StaffAdminView | null>(null);
  const [inviting, setInviting] = useState(false);
  const [shown, setShown] = useState<{ invite: StaffInviteCreatedView; qr: string; link: string } | null>(null);

  const storeOptions = (stores.data ?? [])
    .filter((s) => s.status === 'active')
    .map((s) => ({ value: s.code, label: `${s.name}（${s.code}）` }));
  const roleOptions = (isHq ? (['clerk', 'store_manager', 'admin'] as StaffRole[]) : (['clerk'] as StaffRole[])).map((role) => ({
    value: role,
    label: STAFF_ROLE_LABELS[role],
  }));
  const manageable = (row: StaffAdminView) =>
    // Only what the server would allow (it decides; one's own account it refuses with a message).
    row.source !== 'config' && (isHq || (row.role === 'clerk' && row.stores.every((code) => session.stores.includes(code))));

  const act = async (work: () => Promise<unknown>, done: string) => {
    try {
      await work();
      toast.success(done);
      stores.reload();
      staff.reload();
      invites.reload();
    } catch (failure) {
      toast.error(message(failure));
    }
  };

  // While the QR code is shown, the list is polled so the console sees the invitee join.
  const shownStatus = shown ? invites.data?.find((row) => row.id === shown.invite.id)?.status : undefined;
  useEffect(() => {
    if (!shown || (shownStatus && shownStatus !== 'pending')) return;
    const timer = setInterval(invites.reload, 2000);
    return () => clearInterval(timer);
  }, [shown, shownStatus, invites.reload]);
  // Someone joined: the staff list and the stores' counts change.
  const reloadStaff = staff.reload;
  const reloadStores = stores.reload;
  useEffect(() => {
    if (shownStatus !== 'accepted') return;
    reloadStaff();
    reloadStores();
  }, [shownStatus, reloadStaff, reloadStores]);

  return (
    <Space direction='vertical' size='large' style={{ width: '100%' }} id='console-staff'>
      <Card title='门店' id='staff-stores'>
        <PageState loaded={stores} empty={(rows) => rows.length === 0} emptyText='暂无门店'>
          {(rows) => (
            <Table<StoreAdminView>
              rowKey='code'
              size='middle'
              pagination={false}
              dataSource={rows}
              columns={[
                { title: '门店编码', dataIndex: 'code' },
                { title: '门店名称', dataIndex: 'name' },
                {
                  title: '状态',
                  dataIndex: 'status',
                  render: (status: string) => (status === 'active' ? <Tag color='success'>营业中</Tag> : <Tag>已停业</Tag>),
                },
                { title: '在职员工', dataIndex: 'staffCount', render: (n: number) => <span className='store-staff-count'>{n}</span> },
                ...(isHq
                  ? [
                      {
                        title: '操作',
                        render: (_: unknown, row: StoreAdminView) => (
                          <Popconfirm
                            title={row.status === 'active' ? '停业后该门店不能再收银，确认停业？' : '确认恢复营业？'}
                            onConfirm={() =>
                              act(
                                () =>
                                  api(`staff/admin/stores/${row.code}/status`, {
                                    method: 'POST',
                                    json: { status: row.status === 'active' ? 'closed' : 'active' },
                                  }),
                                row.status === 'active' ? '已停业' : '已恢复营业',
                              )
                            }
                          >
                            <Button size='small'>{row.status === 'active' ? '停业' : '恢复营业'}</Button>
                          </Popconfirm>
                        ),
                      },
                    ]
                  : []),
              ]}
            />
          )}
        </PageState>
        <Typography.Paragraph type='secondary' style={{ marginTop: 12, marginBottom: 0 }}>
          新增门店或修改门店名称请在配置文件的 stores 中修改（每次启动时同步）。
        </Typography.Paragraph>
      </Card>

      <Card
        title='员工'
        id='staff-list'
        extra={
          <Button type='primary' id='staff-invite-open' onClick={() => setInviting(true)}>
            邀请员工
          </Button>
        }
      >
        <PageState loaded={staff} empty={(rows) => rows.length === 0} emptyText='暂无员工'>
          {(rows) => (
            <Table<StaffAdminView>
              rowKey='id'
              size='middle'
              pagination={{ pageSize: 20, hideOnSinglePage: true }}
              dataSource={rows}
              rowClassName={(row) => `staff-row staff-row-${row.id}`}
              columns={[
                { title: '姓名', dataIndex: 'name', render: (name: string | null) => name ?? '—' },
                { title: '角色', dataIndex: 'role', render: (role: StaffRole) => STAFF_ROLE_LABELS[role] },
                {
                  title: '门店',
                  dataIndex: 'stores',
                  render: (codes: string[], row) => (row.role === 'admin' ? '全部门店' : codes.join('、')),
                },
                { title: '来源', dataIndex: 'source', render: (source: StaffAdminView['source']) => SOURCE_LABELS[source] },
                {
                  title: '状态',
                  dataIndex: 'disabled',
                  render: (disabled: boolean) => (disabled ? <Tag color='default'>已停用</Tag> : <Tag color='success'>在职</Tag>),
                },
                { title: '加入时间', dataIndex: 'createdAt', render: time },
                {
                  title: '操作',
                  render: (_: unknown, row) =>
                    row.source === 'config' ? (
                      <Tooltip title='由配置文件管理，请修改配置'>
                        <Typography.Text type='secondary'>配置管理</Typography.Text>
                      </Tooltip>
                    ) : manageable(row) ? (
                      <Space>
                        <Button size='small' onClick={() => setEditing(row)}>
                          修改
                        </Button>
                        <Popconfirm
                          title={row.disabled ? '确认启用该员工？' : '停用后该员工将立即无法使用员工功能，确认停用？'}
                          onConfirm={() =>
                            act(
                              () => api(`staff/admin/staff/${row.id}/disabled`, { method: 'POST', json: { disabled: !row.disabled } }),
                              row.disabled ? '已启用' : '已停用',
                            )
                          }
                        >
                          <Button size='small' danger={!row.disabled}>
                            {row.disabled ? '启用' : '停用'}
                          </Button>
                        </Popconfirm>
                      </Space>
                    ) : (
                      <Typography.Text type='secondary'>—</Typography.Text>
                    ),
                },
              ]}
            />
          )}
        </PageState>
      </Card>

      <Card title='邀请记录' id='staff-invites'>
        <PageState loaded={invites} empty={(rows) => rows.length === 0} emptyText='还没有邀请，点击「邀请员工」生成二维码'>
          {(rows) => (
            <Table<StaffInviteView>
              rowKey='id'
              size='middle'
              pagination={{ pageSize: 10, hideOnSinglePage: true }}
              dataSource={rows}
              columns={[
                { title: '姓名', dataIndex: 'name', render: (name: string | null) => name ?? '—' },
                { title: '角色', dataIndex: 'role', render: (role: StaffRole) => STAFF_ROLE_LABELS[role] },
                { title: '门店', dataIndex: 'stores', render: (codes: string[]) => codes.join('、') || '全部门店' },
                {
                  title: '状态',
                  dataIndex: 'status',
                  render: (status: StaffInviteView['status']) => (
                    <Tag color={INVITE_STATUS[status].color} className={`invite-status-${status}`}>
                      {INVITE_STATUS[status].text}
                    </Tag>
                  ),
                },
                { title: '邀请人', dataIndex: 'createdBy', render: (name: string | null) => name ?? '—' },
                { title: '有效期至', dataIndex: 'expiresAt', render: time },
                {
                  title: '操作',
                  render: (_: unknown, row) =>
                    row.status === 'pending' ? (
                      <Popconfirm
                        title='撤销后该二维码立即失效，确认撤销？'
                        onConfirm={() => act(() => api(`staff/admin/invites/${row.id}/revoke`, { method: 'POST' }), '已撤销')}
                      >
                        <Button size='small'>撤销</Button>
                      </Popconfirm>
                    ) : null,
                },
              ]}
            />
          )}
        </PageState>
      </Card>

      <InviteForm
        open={inviting}
        roleOptions={roleOptions}
        storeOptions={storeOptions}
        onClose={() => setInviting(false)}
        onCreated={async (invite) => {
          setInviting(false);
          const link = staffInviteQrContent(location.origin, invite.token);
          const qr = await QRCode.toDataURL(link, { width: 240, margin: 1, errorCorrectionLevel: 'M' });
          setShown({ invite, qr, link });
          invites.reload();
        }}
      />

      <Modal
        open={shown !== null}
        title='邀请员工'
        footer={<Button onClick={() => setShown(null)}>关闭</Button>}
        onCancel={() => setShown(null)}
        destroyOnHidden
      >
        {shown && (
          <div style={{ textAlign: 'center' }} id='staff-invite-shown'>
            {shownStatus === 'accepted' ? (
              <Alert type='success' showIcon title={<span id='staff-invite-joined'>已加入：对方已接受邀请</span>} />
            ) : (
              <>
                <img id='staff-invite-qr' src={shown.qr} width={240} height={240} alt='邀请二维码' data-link={shown.link} />
                <Typography.Paragraph>
                  请被邀请人用微信扫码，在小程序中确认加入：{STAFF_ROLE_LABELS[shown.invite.role]}
                  {shown.invite.stores.length ? ` · ${shown.invite.stores.join('、')}` : ' · 全部门店'}
                </Typography.Paragraph>
                <Typography.Paragraph type='secondary' style={{ fontSize: 12 }}>
                  二维码仅能使用一次，{time(shown.invite.expiresAt)} 前有效；可在「邀请记录」中撤销。
                  <br />
                  <Typography.Text copyable={{ text: shown.link }} type='secondary' style={{ fontSize: 12 }}>
                    复制邀请链接
                  </Typography.Text>
                </Typography.Paragraph>
              </>
            )}
          </div>
        )}
      </Modal>

      <EditStaff
        row={editing}
        roleOptions={roleOptions}
        storeOptions={storeOptions}
        onClose={() => setEditing(null)}
        onSave={(row, values) =>
          act(() => api(`staff/admin/staff/${row.id}/role`, { method: 'POST', json: values }), '已保存').then(() => setEditing(null))
        }
      />
    </Space>
  );
}

type Option = { value: string; label: string };

function InviteForm(props: {
  open: boolean;
  roleOptions: Option[];
  storeOptions: Option[];
  onClose: () => void;
  onCreated: (invite: StaffInviteCreatedView) => Promise<void>;
}) {
  const [form] = Form.useForm<{ role: StaffRole; stores: string[]; name?: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const role = Form.useWatch('role', form);
  const submit = async () => {
    const values = await form.validateFields();
    setBusy(true);
    setError(null);
    try {
      const invite = await api<StaffInviteCreatedView>('staff/admin/invites', {
        method: 'POST',
        json: { role: values.role, stores: values.role === 'admin' ? [] : (values.stores ?? []), name: values.name?.trim() || null },
      });
      form.resetFields();
      await props.onCreated(invite);
    } catch (failure) {
      setError(message(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open={props.open}
      title='邀请员工'
      okText='生成邀请二维码'
      onOk={() => void submit()}
      confirmLoading={busy}
      onCancel={props.onClose}
      destroyOnHidden
    >
      {error && <Alert type='error' showIcon title={error} style={{ marginBottom: 12 }} />}
      <Form form={form} layout='vertical' initialValues={{ role: 'clerk', stores: [] }} id='staff-invite-form'>
        <Form.Item name='name' label='姓名（可选）' rules={[{ max: 32 }]}>
          <Input id='staff-invite-name' placeholder='如：张三' />
        </Form.Item>
        <Form.Item name='role' label='角色' rules={[{ required: true, message: '请选择角色' }]}>
          <Select id='staff-invite-role' options={props.roleOptions} />
        </Form.Item>
        {role !== 'admin' && (
          <Form.Item name='stores' label='门店' rules={[{ required: true, message: '请选择门店' }]}>
            <Select id='staff-invite-stores' mode='multiple' options={props.storeOptions} placeholder='选择门店' />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}

function EditStaff(props: {
  row: StaffAdminView | null;
  roleOptions: Option[];
  storeOptions: Option[];
  onClose: () => void;
  onSave: (row: StaffAdminView, values: { role: StaffRole; stores: string[] }) => Promise<void>;
}) {
  const [form] = Form.useForm<{ role: StaffRole; stores: string[] }>();
  const role = Form.useWatch('role', form);
  useEffect(() => {
    if (props.row) form.setFieldsValue({ role: props.row.role, stores: props.row.stores });
  }, [props.row, form]);
  return (
    <Modal
      open={props.row !== null}
      title={`修改员工：${props.row?.name ?? ''}`}
      onCancel={props.onClose}
      onOk={async () => {
        const values = await form.validateFields();
        await props.onSave(props.row!, { role: values.role, stores: values.role === 'admin' ? [] : values.stores });
      }}
      destroyOnHidden
    >
      <Form form={form} layout='vertical'>
        <Form.Item name='role' label='角色' rules={[{ required: true }]}>
          <Select options={props.roleOptions} />
        </Form.Item>
        {role !== 'admin' && (
          <Form.Item name='stores' label='门店' rules={[{ required: true, message: '请选择门店' }]}>
            <Select mode='multiple' options={props.storeOptions} />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}
