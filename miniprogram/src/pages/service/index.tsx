import Taro from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import PageGate from '../../components/PageGate';
import { useBrand } from '../../hooks/useBrand';
import ContactButton from '../../platform/ContactButton';
import { dialable } from '../../utils/brand';
import './index.scss';

/** 联系客服: WeChat's chat where there is one, the service number and hours, and the short FAQ from config. */
export default function ServicePage() {
  const brand = useBrand();
  if (!brand) {
    return (
      <View className='page'>
        <PageGate status='loading' idPrefix='service-page' />
      </View>
    );
  }
  const { phone, hours, faq } = brand.service;
  return (
    <View className='page service-page'>
      <View className='service-page__hero'>
        <Text className='service-page__title'>您好，有什么可以帮您？</Text>
        <Text className='service-page__sub'>{brand.name}客服为您解答会员、积分、优惠券与订单问题</Text>
      </View>
      <View className='section service-page__contact'>
        <View
          id='service-phone'
          className='service-page__phone'
          onClick={() => void Taro.makePhoneCall({ phoneNumber: dialable(phone) }).catch(() => undefined)}
        >
          <View className='service-page__phone-text'>
            <Text className='service-page__label'>客服热线</Text>
            <Text id='service-phone-number' className='service-page__number'>
              {phone}
            </Text>
            <Text id='service-hours' className='service-page__hours'>
              服务时间 {hours}
            </Text>
          </View>
        </View>
        <ContactButton id='service-contact' phone={phone} />
      </View>
      {faq.length > 0 ? (
        <View id='service-faq' className='section'>
          <Text className='section-title'>常见问题</Text>
          {faq.map((item) => (
            <View key={item.question} className='service-page__faq'>
              <Text className='service-page__question'>{item.question}</Text>
              <Text className='service-page__answer'>{item.answer}</Text>
            </View>
          ))}
        </View>
      ) : null}
    </View>
  );
}
