// The customs code table of the declare API (seed 003), and what customs' own result codes mean.

export const CUSTOMS_CODES = ['ZONGSHU', 'ZHENGZHOU', 'NINGBO', 'SHANGHAI_CBT'] as const;
export type CustomsCode = (typeof CUSTOMS_CODES)[number];

/** AlipayCN's registration ID in the customs system, the same for every code in the table. */
export const ALIPAY_CN_REGISTRATION_ID = '31222699S7';

export function isCustomsCode(value: string): value is CustomsCode {
  return (CUSTOMS_CODES as readonly string[]).includes(value);
}

/**
 * Any district that is not in the table (Hangzhou, Guangzhou, Tianjin...) is declared to ZONGSHU,
 * the General Administration of Customs.
 */
export function customsCodeForDistrict(district: string): CustomsCode {
  const normalized = district
    .trim()
    .toUpperCase()
    .replace(/[\s-]+/g, '_');
  if (isCustomsCode(normalized)) return normalized;
  return DISTRICT_ALIASES[normalized] ?? 'ZONGSHU';
}

/** District names of the table's own customs (seed 003): Shanghai Customs, the Henan centre, Ningbo. */
const DISTRICT_ALIASES: Record<string, CustomsCode> = {
  SHANGHAI: 'SHANGHAI_CBT',
  HENAN: 'ZHENGZHOU',
};

/** A customs answer that means the payment document was refused: 100, or a negative processing exception. */
export function isCustomsRejection(code: string | undefined): boolean {
  return code !== undefined && (code === '100' || code.startsWith('-'));
}
