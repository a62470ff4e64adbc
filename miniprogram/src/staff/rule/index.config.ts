export default definePageConfig({ navigationBarTitleText: '规则详情' });
