import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Client } from '@temporalio/client';
import { quotaActivities } from '../../activities/quota';
import { normalizeCertificateNo } from '../../domain/identity';

// One buyer, one quota: the same certificate typed with other spaces or case must key the same entity.

const keyOf = (certificateType: string, certificateNo: string) =>
  quotaActivities({ temporal: {} as Client, quotaTaskQueue: 'unused', buyerKeySecret: 'test-secret' }).buyerQuotaKey({
    certificateType,
    certificateNo,
  });

describe('normalizeCertificateNo', () => {
  test('removes every space, tab and full-width space and upper-cases the letters', () => {
    assert.equal(normalizeCertificateNo('E1234 5678'), 'E12345678');
    assert.equal(normalizeCertificateNo(' e12\t34\u300056 78 '), 'E12345678');
    assert.equal(normalizeCertificateNo('11010519491231002x'), '11010519491231002X');
  });

  test('leaves a number of digits and upper-case letters as it is', () => {
    assert.equal(normalizeCertificateNo('11010519491231002X'), '11010519491231002X');
    assert.equal(normalizeCertificateNo('TZ7310462'), 'TZ7310462');
  });
});

describe('buyerQuotaKey', () => {
  test('a passport number differing only by case or spaces keys the same quota', async () => {
    const key = await keyOf('PASSPORT', 'E12345678');
    assert.equal(await keyOf('PASSPORT', 'E1234 5678'), key);
    assert.equal(await keyOf('PASSPORT', 'e12345678'), key);
    assert.equal(await keyOf('PASSPORT', ' e1234 5678 '), key);
  });

  test('an ID card ending in x keys the same quota as one ending in X', async () => {
    assert.equal(await keyOf('ID_CARD', '11010519491231002x'), await keyOf('ID_CARD', '11010519491231002X'));
  });

  test('the certificate type stays in the key', async () => {
    assert.notEqual(await keyOf('PASSPORT', 'E12345678'), await keyOf('ID_CARD', 'E12345678'));
  });

  test('the key of a normal number is the one the code before normalization computed', async () => {
    // Pinned from the earlier code: a changed key would start these buyers' quotas from zero.
    assert.equal(await keyOf('ID_CARD', '11010519491231002X'), '37edbb8076a5ba440577512b976922f6');
    assert.equal(await keyOf('PASSPORT', 'E12345678'), '3d86db1d23a099d54d0ec3c4199574bb');
  });
});
