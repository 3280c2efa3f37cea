import type { Worker } from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';
import { isWorkerMessage, type WorkerMessage } from './messages.js';

/**
 * /metrics for the whole fleet. A scrape reaches whichever worker the cluster hands the connection to, so a
 * worker's own counters would jump between workers from one scrape to the next; instead the worker asks the
 * primary, which collects every worker's registry over the cluster's channel (prom-client's
 * AggregatorRegistry) and sums them: counters and histograms add up, requests in flight too.
 */

/** How long a scrape waits for the primary; prom-client gives each worker 5 s to answer it. */
const ASK_TIMEOUT_MS = 6_000;

export type RenderMetrics = () => Promise<{ contentType: string; text: string }>;

/** In a worker: makes `registry` the one the primary collects, and returns the fleet-wide render. */
export function workerFleetMetrics(registry: Registry): RenderMetrics {
  // Constructing one adds prom-client's listener that answers the primary's collection with this registry.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([registry]);
  let next = 0;
  const waiting = new Map<number, (reply: { text?: string; error?: string }) => void>();
  process.on('message', (message: unknown) => {
    if (!isWorkerMessage(message) || message.contactway !== 'metrics') return;
    const reply = message as { id: number; text?: string; error?: string };
    waiting.get(reply.id)?.(reply);
  });
  return async () => {
    const id = next++;
    const reply = await new Promise<{ text?: string; error?: string }>((resolve) => {
      const timer = setTimeout(() => resolve({ error: 'the primary did not answer' }), ASK_TIMEOUT_MS);
      waiting.set(id, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      process.send?.({ contactway: 'metrics', id } satisfies WorkerMessage);
    }).finally(() => waiting.delete(id));
    if (reply.text === undefined) throw new Error(`fleet metrics: ${reply.error ?? 'no answer'}`);
    return { contentType: registry.contentType, text: reply.text };
  };
}

/** In the primary: answers a worker's request with every live worker's metrics, summed. */
export function answerFleetMetrics(): (worker: Worker, message: unknown) => void {
  const aggregator = new AggregatorRegistry();
  return (worker, message) => {
    if (
      !isWorkerMessage(message) ||
      message.contactway !== 'metrics' ||
      'text' in message ||
      'error' in message
    )
      return;
    const { id } = message;
    aggregator.clusterMetrics().then(
      (text) => send(worker, { contactway: 'metrics', id, text }),
      (error: unknown) =>
        send(worker, {
          contactway: 'metrics',
          id,
          error: error instanceof Error ? error.message : String(error),
        }),
    );
  };
}

function send(worker: Worker, message: WorkerMessage): void {
  if (worker.isConnected()) worker.send(message);
}
