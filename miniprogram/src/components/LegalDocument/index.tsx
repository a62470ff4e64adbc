import { Text, View } from '@tarojs/components';
import type { LegalDocument as LegalDocumentData } from '../../content/legal';
import './index.scss';

export interface LegalDocumentProps {
  document: LegalDocumentData;
  /** e.g. the programme's name ("悦享会员"), shown as who the document is from. */
  issuer?: string;
  /** The consent version members accept (config `privacy.policyVersion`), when known. */
  version?: string;
  id?: string;
}

/** A policy as members read it: title, effective date, intro, numbered sections with headings. */
export default function LegalDocument({ document, issuer, version, id }: LegalDocumentProps) {
  return (
    <View id={id} className='legal-document'>
      <Text className='legal-document__title'>{document.title}</Text>
      <Text className='legal-document__meta'>
        {issuer ? `${issuer} · ` : ''}生效日期 {document.effectiveDate}
        {version ? ` · 版本 ${version}` : ''}
      </Text>
      <Text className='legal-document__intro'>{document.intro}</Text>
      {document.sections.map((section) => (
        <View key={section.heading} className='legal-document__section'>
          <Text className='legal-document__heading'>{section.heading}</Text>
          {section.paragraphs.map((paragraph) => (
            <Text key={paragraph} className='legal-document__paragraph'>
              {paragraph}
            </Text>
          ))}
        </View>
      ))}
    </View>
  );
}
