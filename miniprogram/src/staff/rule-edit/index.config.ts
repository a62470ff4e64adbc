export default definePageConfig({ navigationBarTitleText: '编辑规则' });
