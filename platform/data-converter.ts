import type { DataConverter } from '@temporalio/common';
import { AesGcmCodec, type Keyring } from './aes-gcm-codec';

/**
 * The data converter every process uses: payloads are encrypted with the payload keyring, so buyer
 * names and ID numbers reach Temporal only encrypted.
 */
export function encryptingDataConverter(keyring: Keyring): DataConverter {
  return { payloadCodecs: [new AesGcmCodec(keyring)] };
}
