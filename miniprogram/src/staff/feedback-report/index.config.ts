export default definePageConfig({ navigationBarTitleText: '服务报表' });
