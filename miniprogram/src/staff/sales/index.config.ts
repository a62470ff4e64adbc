export default definePageConfig({ navigationBarTitleText: '销售记录' });
