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
    'pages/member-code/index',
    'pages/mine/index',
    'pages/orders/index',
    'pages/privacy/index',
    'pages/agreement/index',
    'pages/service/index',
    'pages/account-delete/index',
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
        'sales/index',
      ],
    },
  ],
  // Issue 16: the four tabs every member centre has. Tab pages must live in the main package. The icons are
  // drawn by scripts/make-tab-icons.mjs in these two colours (WeChat takes PNG files only).
  tabBar: {
    color: '#8a8f99',
    selectedColor: '#e8453c',
    backgroundColor: '#ffffff',
    borderStyle: 'white',
    list: [
      {
        pagePath: 'pages/card/index',
        text: '首页',
        iconPath: 'assets/tab/home.png',
        selectedIconPath: 'assets/tab/home-active.png',
      },
      {
        pagePath: 'pages/member-code/index',
        text: '会员码',
        iconPath: 'assets/tab/code.png',
        selectedIconPath: 'assets/tab/code-active.png',
      },
      {
        pagePath: 'pages/wallet/index',
        text: '券包',
        iconPath: 'assets/tab/wallet.png',
        selectedIconPath: 'assets/tab/wallet-active.png',
      },
      {
        pagePath: 'pages/mine/index',
        text: '我的',
        iconPath: 'assets/tab/mine.png',
        selectedIconPath: 'assets/tab/mine-active.png',
      },
    ],
  },
  window: {
    backgroundTextStyle: 'dark',
    backgroundColor: '#f4f5f7',
    navigationBarBackgroundColor: '#ffffff',
    navigationBarTitleText: '会员中心',
    navigationBarTextStyle: 'black',
  },
  lazyCodeLoading: 'requiredComponents',
});
