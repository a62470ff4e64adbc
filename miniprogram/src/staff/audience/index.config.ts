export default definePageConfig({
  navigationBarTitleText: '客户分层',
});
