import type { ContactWayRecord, Requester } from '../../src/store/index.js';

/** Shared by the store contract and the child-process writer: records shaped as the service stores them. */

export const alice: Requester = {
  platform: 'slack',
  workspaceId: 'T0001',
  userId: 'U0001',
  displayName: 'Alice',
};
export const bob: Requester = {
  platform: 'discord',
  workspaceId: '112233445566778899',
  userId: '998877665544',
};

/** 2025-01-01T00:00:00Z plus `minutes`: a fixed clock, so ordering never depends on when the test runs. */
export function at(minutes: number): string {
  return new Date(Date.UTC(2025, 0, 1) + minutes * 60_000).toISOString();
}

/** A temporary-session record as `createTemp` stores it. */
export function makeRecord(
  configId: string,
  requester: Requester = alice,
  overrides: Partial<ContactWayRecord> = {},
): ContactWayRecord {
  const createdAt = overrides.createdAt ?? at(0);
  return {
    configId,
    requester,
    createdAt,
    updatedAt: createdAt,
    request: { type: 1, scene: 2, user: ['zhangsan'], is_temp: true, expires_in: 86_400 },
    qrCode: `https://wework.qpic.cn/wwpic/${configId}/0`,
    isTemp: true,
    expiresAt: new Date(Date.parse(createdAt) + 86_400_000).toISOString(),
    status: 'active',
    source: 'created',
    ...overrides,
  };
}
