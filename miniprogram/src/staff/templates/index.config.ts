export default definePageConfig({
  navigationBarTitleText: '优惠券管理',
  enablePullDownRefresh: true,
});
