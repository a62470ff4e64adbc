import { Button, Layout, Menu, Result, Space, Spin, Typography, type MenuProps } from 'antd';
import { Suspense, useEffect, useMemo, useState } from 'react';
import { HashRouter, Navigate, Route, Routes, useLocation, useNavigate } from 'react-router-dom';
import LoginPage from './pages/login';
import { pagesFor } from './pages/registry';
import { loadSession, onSessionChange, ROLE_LABELS, saveSession, type ConsoleSession } from './session';

/** The signed-in console: the menu of the pages this role may open, and the page. */
function Shell({ session }: { session: ConsoleSession }) {
  const pages = useMemo(() => pagesFor(session.role), [session.role]);
  const navigate = useNavigate();
  const location = useLocation();
  const current = location.pathname.replace(/^\//, '').split('/')[0] || pages[0]?.path;
  const groups = new Map<string | null, typeof pages>();
  for (const page of pages) groups.set(page.group, [...(groups.get(page.group) ?? []), page]);
  const items: MenuProps['items'] = [...groups.entries()].flatMap(([group, members]): NonNullable<MenuProps['items']> => {
    const entries = members.map((page) => ({ key: page.path, label: <span id={`menu-${page.path}`}>{page.label}</span> }));
    return group === null ? entries : [{ type: 'group', key: `group-${group}`, label: group, children: entries }];
  });
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider width={208} theme='light' style={{ borderRight: '1px solid #f0f0f0' }}>
        <div style={{ padding: '18px 20px', fontWeight: 600, fontSize: 16 }}>会员管理后台</div>
        <Menu
          mode='inline'
          selectedKeys={[current]}
          items={items}
          onClick={({ key }) => navigate(`/${key}`)}
          style={{ borderInlineEnd: 0 }}
        />
      </Layout.Sider>
      <Layout>
        <Layout.Header style={{ background: '#fff', display: 'flex', justifyContent: 'flex-end', alignItems: 'center', paddingInline: 24 }}>
          <Space>
            <Typography.Text id='console-user'>
              {session.name ?? '员工'} · {ROLE_LABELS[session.role]}
              {session.role === 'admin' ? '' : ` · ${session.stores.join('、')}`}
            </Typography.Text>
            <Button id='console-logout' onClick={() => saveSession(null)}>
              退出登录
            </Button>
          </Space>
        </Layout.Header>
        <Layout.Content style={{ padding: 24 }}>
          <Suspense fallback={<Spin size='large' style={{ display: 'block', margin: '120px auto' }} />}>
            <Routes>
              {pages.map((page) => (
                <Route key={page.path} path={`/${page.path}/*`} element={<page.component />} />
              ))}
              <Route path='/' element={<Navigate to={`/${pages[0]?.path ?? ''}`} replace />} />
              <Route path='*' element={<Result status='404' title='页面不存在' subTitle='该页面不存在，或您的角色无权访问' />} />
            </Routes>
          </Suspense>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}

export function App() {
  const [session, setSession] = useState(loadSession);
  useEffect(() => onSessionChange(() => setSession(loadSession())), []);
  if (!session) return <LoginPage />;
  return (
    <HashRouter>
      <Shell session={session} />
    </HashRouter>
  );
}
