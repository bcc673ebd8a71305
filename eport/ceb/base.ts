import { z } from 'zod';
import { CEB_VERSION, companyCode, companyName, guid, optional, text, element } from './fields';
import type { ElementShape } from './xml';

// What every declaration message carries besides its documents: the root's guid and version
// attributes, and BaseTransfer, the company that transmits it through the e-port's data exchange.

/** DXP: the China E-port data exchange platform, the only transfer mode the import messages use. */
export const DXP_MODES = { DXP: 'China E-port data exchange platform' } as const;

export const baseTransferSchema = z.object(
  {
    /** The transmitting company's customs code; it must match the identity of the transfer client. */
    copCode: companyCode,
    copName: companyName,
    dxpMode: z.literal('DXP', { error: 'code table: dxpMode must be DXP (China E-port data exchange platform)' }),
    /** The user number the E-port data centre issued for the data exchange platform, e.g. DXPENT0000458763. */
    dxpId: text(30),
    note: optional(text(1000)),
  },
  element('BaseTransfer'),
);
export type BaseTransfer = z.output<typeof baseTransferSchema>;

export const BASE_TRANSFER: ElementShape = { name: 'BaseTransfer', fields: ['copCode', 'copName', 'dxpMode', 'dxpId', 'note'] };

/** The root element's attributes: the message guid and the specification version. */
export const messageAttributes = {
  guid,
  version: z.string({ error: 'required' }).regex(/^v?\d+(\.\d+)*$/, 'version: a version number such as 1.0'),
};

/** The parsed root's attributes (`@guid`, `@version`) under their model names. */
export function attributesOf(root: Record<string, unknown>) {
  return { guid: root['@guid'], version: root['@version'] };
}

export { CEB_VERSION };
