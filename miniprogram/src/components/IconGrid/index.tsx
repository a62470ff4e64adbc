import { Image, Text, View } from '@tarojs/components';
import { withAlpha } from '@member/shared';
import { glyphImage, type GlyphName } from './glyphs';
import './index.scss';

export interface IconGridItem {
  /** Element id, for browser tests. */
  id: string;
  label: string;
  glyph: GlyphName;
  /** The glyph's colour (#rrggbb); its tile is a tint of it. */
  color: string;
  /** A small line under the label ("已开启 2 项"). */
  note?: string | null;
  noteId?: string;
  /** A red dot with a number on the icon (coupons to claim). */
  badge?: number;
  onClick: () => void;
}

export interface IconGridProps {
  items: IconGridItem[];
  /** Items per row. */
  columns?: 4 | 5;
  title?: string;
  id?: string;
}

/** The member centre's shortcuts as a grid of coloured icons (首页's services, 我的's tools). */
export default function IconGrid({ items, columns = 4, title, id }: IconGridProps) {
  return (
    <View id={id} className='icon-grid'>
      {title ? <Text className='icon-grid__title'>{title}</Text> : null}
      <View className='icon-grid__items'>
        {items.map((item) => (
          <View key={item.id} id={item.id} className={`icon-grid__item icon-grid__item--${columns}`} onClick={item.onClick}>
            <View className='icon-grid__tile' style={{ background: withAlpha(item.color, 0.1) }}>
              <Image className='icon-grid__glyph' src={glyphImage(item.glyph, item.color)} />
              {item.badge ? <Text className='icon-grid__badge'>{item.badge > 99 ? '99+' : item.badge}</Text> : null}
            </View>
            <Text className='icon-grid__label'>{item.label}</Text>
            {item.note ? (
              <Text id={item.noteId} className='icon-grid__note'>
                {item.note}
              </Text>
            ) : null}
          </View>
        ))}
      </View>
    </View>
  );
}
