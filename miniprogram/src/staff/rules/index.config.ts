export default definePageConfig({ navigationBarTitleText: '营销规则' });
