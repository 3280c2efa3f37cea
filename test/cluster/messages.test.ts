import { describe, expect, it } from 'vitest';
import { isWorkerMessage, SLOT_ENV, workerSlot } from '../../src/cluster/messages.js';

describe('a worker of the cluster', () => {
  it('GIVEN our primary’s slot variable in a cluster worker THEN that is its slot', () => {
    expect(workerSlot({ [SLOT_ENV]: '1' }, true)).toBe(1);
    expect(workerSlot({ [SLOT_ENV]: '0' }, true)).toBe(0);
  });

  it('GIVEN a cluster worker without it (PM2’s cluster mode forks the app itself) THEN it runs as one bot', () => {
    expect(workerSlot({}, true)).toBeUndefined();
  });

  it('GIVEN the variable outside a cluster worker, or not a slot THEN it is ignored', () => {
    expect(workerSlot({ [SLOT_ENV]: '1' }, false)).toBeUndefined();
    expect(workerSlot({ [SLOT_ENV]: 'x' }, true)).toBeUndefined();
    expect(workerSlot({ [SLOT_ENV]: '-1' }, true)).toBeUndefined();
  });

  it('GIVEN messages on the channel THEN only ours are taken (prom-client’s and others pass by)', () => {
    expect(isWorkerMessage({ contactway: 'ready' })).toBe(true);
    expect(isWorkerMessage({ contactway: 'stop', signal: 'SIGTERM' })).toBe(true);
    expect(isWorkerMessage({ contactway: 'metrics', id: 1 })).toBe(true);
    expect(isWorkerMessage({ type: 'prom-client:getMetricsReq', requestId: 1 })).toBe(false);
    expect(isWorkerMessage(null)).toBe(false);
    expect(isWorkerMessage('ready')).toBe(false);
  });
});
