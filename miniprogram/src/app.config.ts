export default defineAppConfig({
  // Member pages live in the main package; the card is the home page.
  pages: [
    'pages/card/index',
    'pages/join/index',
    'pages/profile/index',
    'pages/coupons/index',
    'pages/wallet/index',
    'pages/coupon/index',
    'pages/points/index',
    'pages/tier/index',
    'pages/points-shop/index',
    'pages/pay/index',
    'pages/pay-result/index',
    'pages/messages/index',
  ],
  // Staff pages are downloaded only by the few who open them.
  subPackages: [
    {
      root: 'staff',
      pages: [
        'home/index',
        'redeem/index',
        'templates/index',
        'template-edit/index',
        'purchase/index',
        'paycode/index',
        'pay-orders/index',
        'pay-order/index',
        'audience/index',
        'campaigns/index',
        'campaign-edit/index',
        'campaign/index',
      ],
    },
  ],
  window: {
    backgroundTextStyle: 'dark',
    backgroundColor: '#f4f5f7',
    navigationBarBackgroundColor: '#ffffff',
    navigationBarTitleText: '会员中心',
    navigationBarTextStyle: 'black',
  },
  lazyCodeLoading: 'requiredComponents',
});
