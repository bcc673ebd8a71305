import type { Ceb311Input, Ceb411Input, Ceb511Input, Ceb621Input, Ceb625Input } from '../../eport/ceb';

// Valid customs messages for the unit tests: one order of two lines, and the documents that match it.

export const GUID = (n: number) => `3A2F9C1E-0000-4000-8000-${String(n).padStart(12, '0')}`;

export const baseTransfer = { copCode: '3301964J31', copName: 'Sandbox Merchant Ltd', dxpMode: 'DXP', dxpId: 'DXPENT0000000001' } as const;

export function sampleOrder(): Ceb311Input {
  return {
    guid: GUID(1),
    version: '1.0',
    Order: {
      OrderHead: {
        guid: GUID(2),
        appType: '1',
        appTime: '20261201103000',
        appStatus: '2',
        orderType: 'I',
        orderNo: 'ORD-2026-0001',
        ebpCode: '3301964J31',
        ebpName: 'Sandbox Platform',
        ebcCode: '3301964J31',
        ebcName: 'Sandbox Merchant Ltd',
        goodsValue: 25000,
        freight: 1000,
        discount: 500,
        taxTotal: 2366,
        acturalPaid: 27866,
        currency: '142',
        buyerRegNo: 'buyer-42',
        buyerName: '测试买家',
        buyerTelephone: '13800000000',
        buyerIdType: '1',
        buyerIdNumber: '11010519491231002X',
        payCode: '31222699S7',
        payName: 'Alipay (China) Network Technology Co., Ltd.',
        payTransactionId: '2026120122001400000001',
        consignee: '测试买家',
        consigneeTelephone: '13800000000',
        consigneeAddress: '北京市朝阳区测试路1号',
      },
      OrderList: [
        {
          gnum: 1,
          itemNo: 'SKU-CREAM',
          itemName: 'Face cream',
          gmodel: '50ml/jar',
          unit: '122',
          qty: 1,
          price: 15000,
          totalPrice: 15000,
          currency: '142',
          country: '116',
        },
        {
          gnum: 2,
          itemNo: 'SKU-TEA',
          itemName: 'Green tea',
          gmodel: '100g/box',
          unit: '140',
          qty: 2,
          price: 5000,
          totalPrice: 10000,
          currency: '142',
          country: '142',
        },
      ],
    },
    BaseTransfer: { ...baseTransfer },
  };
}

export function samplePayment(): Ceb411Input {
  return {
    guid: GUID(3),
    version: '1.0',
    Payment: {
      PaymentHead: {
        guid: GUID(4),
        appType: '1',
        appTime: '20261201103100',
        appStatus: '2',
        payCode: '31222699S7',
        payName: 'Alipay (China) Network Technology Co., Ltd.',
        payTransactionId: '2026120122001400000001',
        orderNo: 'ORD-2026-0001',
        ebpCode: '3301964J31',
        ebpName: 'Sandbox Platform',
        payerIdType: '1',
        payerIdNumber: '11010519491231002X',
        payerName: '测试买家',
        amountPaid: 27866,
        currency: '142',
        payTime: '20261201102900',
      },
    },
    BaseTransfer: {
      copCode: '31222699S7',
      copName: 'Alipay (China) Network Technology Co., Ltd.',
      dxpMode: 'DXP',
      dxpId: 'DXPENT0000000002',
    },
  };
}

export function sampleWaybill(): Ceb511Input {
  return {
    guid: GUID(5),
    version: '1.0',
    Logistics: {
      LogisticsHead: {
        guid: GUID(6),
        appType: '1',
        appTime: '20261201110000',
        appStatus: '2',
        logisticsCode: '3301980101',
        logisticsName: 'Sandbox Express',
        logisticsNo: 'SE1000000001',
        orderNo: 'ORD-2026-0001',
        freight: 1000,
        weight: '0.85',
        packNo: 1,
        consignee: '测试买家',
        consigneeAddress: '北京市朝阳区测试路1号',
        consigneeTelephone: '13800000000',
      },
    },
    BaseTransfer: { copCode: '3301980101', copName: 'Sandbox Express', dxpMode: 'DXP', dxpId: 'DXPENT0000000003' },
  };
}

export function sampleInventory(): Ceb621Input {
  return {
    guid: GUID(7),
    version: '1.0',
    Inventory: {
      InventoryHead: {
        guid: GUID(8),
        appType: '1',
        appTime: '20261201111500',
        appStatus: '2',
        orderNo: 'ORD-2026-0001',
        ebpCode: '3301964J31',
        ebpName: 'Sandbox Platform',
        ebcCode: '3301964J31',
        ebcName: 'Sandbox Merchant Ltd',
        logisticsNo: 'SE1000000001',
        logisticsCode: '3301980101',
        logisticsName: 'Sandbox Express',
        copNo: 'INV-2026-0001',
        assureCode: '3301964J31',
        ieFlag: 'I',
        declTime: '20261201',
        customsCode: '2991',
        portCode: '2991',
        ieDate: '20261201',
        buyerIdType: '1',
        buyerIdNumber: '11010519491231002X',
        buyerName: '测试买家',
        buyerTelephone: '13800000000',
        consigneeAddress: '北京市朝阳区测试路1号',
        agentCode: '3301964J31',
        agentName: 'Sandbox Merchant Ltd',
        tradeMode: '9610',
        trafMode: '5',
        country: '116',
        freight: 1000,
        insuredFee: 0,
        currency: '142',
        packNo: 1,
        grossWeight: '0.85',
        netWeight: '0.7',
      },
      InventoryList: [
        {
          gnum: 1,
          itemNo: 'SKU-CREAM',
          gcode: '3304990099',
          gname: 'Face cream',
          gmodel: '4|3|water, glycerin|50ml/jar|brand',
          country: '116',
          currency: '142',
          qty: '1',
          unit: '122',
          qty1: '0.05',
          unit1: '035',
          price: 15000,
          totalPrice: 15000,
        },
        {
          gnum: 2,
          itemNo: 'SKU-TEA',
          gcode: '0902109000',
          gname: 'Green tea',
          gmodel: '100g/box',
          country: '142',
          currency: '142',
          qty: '2',
          unit: '140',
          qty1: '0.2',
          unit1: '035',
          price: 5000,
          totalPrice: 10000,
        },
      ],
    },
    BaseTransfer: { ...baseTransfer },
  };
}

export function sampleReturn(): Ceb625Input {
  return {
    guid: GUID(9),
    version: '1.0',
    InvtRefund: {
      InvtRefundHead: {
        guid: GUID(10),
        appType: '1',
        appTime: '20261210090000',
        appStatus: '2',
        customsCode: '2991',
        orderNo: 'ORD-2026-0001',
        ebpCode: '3301964J31',
        ebpName: 'Sandbox Platform',
        ebcCode: '3301964J31',
        ebcName: 'Sandbox Merchant Ltd',
        logisticsNo: 'SE1000000001',
        logisticsCode: '3301980101',
        logisticsName: 'Sandbox Express',
        invtNo: '299120261000000001',
        buyerIdType: '1',
        buyerIdNumber: '11010519491231002X',
        buyerName: '测试买家',
        buyerTelephone: '13800000000',
        agentCode: '3301964J31',
        agentName: 'Sandbox Merchant Ltd',
        reason: 'The buyer returned the unopened jar within 30 days',
      },
      InvtRefundList: [{ gnum: 1, gcode: '3304990099', gname: 'Face cream', qty: '1', unit: '122' }],
    },
    BaseTransfer: { ...baseTransfer },
  };
}

export const receiptAttrs = { guid: GUID(20), version: '1.0' };
