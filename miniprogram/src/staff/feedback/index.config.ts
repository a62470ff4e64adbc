export default definePageConfig({ navigationBarTitleText: '投诉反馈', enablePullDownRefresh: true });
