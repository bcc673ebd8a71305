// The inventory paths the sandbox's customs can take, chosen per order by rules that tests set.
// Each path is the list of CEB622 states after 120 (stored); the engine emits one per advance().

export type InventoryPath =
  | { kind: 'RELEASE' }
  | { kind: 'MANUAL_REVIEW' }
  | { kind: 'INSPECT_THEN_RELEASE' }
  | { kind: 'DETAIN'; code?: '501' | '502' | '503' | '599'; reason?: string }
  | { kind: 'REJECT'; reason: string }
  | { kind: 'RETURN_ABROAD'; reason?: string };

export interface PathStep {
  code: string;
  info: string;
}

/** The states after 120, in order. */
export function stepsOf(path: InventoryPath): PathStep[] {
  switch (path.kind) {
    case 'RELEASE':
      return [
        { code: '399', info: 'review finished' },
        { code: '800', info: 'released' },
      ];
    case 'MANUAL_REVIEW':
      return [
        { code: '300', info: 'manual review' },
        { code: '399', info: 'review finished' },
        { code: '800', info: 'released' },
      ];
    case 'INSPECT_THEN_RELEASE':
      return [
        { code: '399', info: 'review finished' },
        { code: '500', info: 'selected for inspection' },
        { code: '800', info: 'released after inspection' },
      ];
    case 'DETAIN':
      return [
        { code: '399', info: 'review finished' },
        { code: '500', info: 'selected for inspection' },
        { code: path.code ?? '599', info: path.reason ?? 'detained' },
      ];
    case 'REJECT':
      return [{ code: '100', info: path.reason }];
    case 'RETURN_ABROAD':
      return [
        { code: '399', info: 'review finished' },
        { code: '500', info: 'selected for inspection' },
        { code: '700', info: path.reason ?? 'returned abroad' },
      ];
  }
}
