// Component tests run the H5 flavour of Taro's components and APIs in jsdom.
process.env.TARO_ENV = 'h5';
process.env.TARO_PLATFORM = 'web';
