// Preloaded into an app by `bench/heap-burst.ts` (node --import): writes two V8 heap snapshots,
// `${HEAP_PROBE_FILE}-rest.heapsnapshot` when the first Slack request arrives (the app started, nothing in
// flight yet) and `${HEAP_PROBE_FILE}-burst.heapsnapshot` the first time the process holds HEAP_PROBE_AT open
// TCP sockets (each requester in flight holds at least one: inbound from Slack, outbound to Slack or WeCom).
// The most sockets seen go to `${HEAP_PROBE_FILE}.json`. Plain JavaScript: it runs before any loader, the same
// in the bot and the floors.
import { writeFileSync } from 'node:fs';
import { Server } from 'node:http';
import { writeHeapSnapshot } from 'node:v8';

const prefix = process.env.HEAP_PROBE_FILE;
const at = Number(process.env.HEAP_PROBE_AT ?? 100);
const state = { rest: false, burst: false, mostSockets: 0, socketsAtBurst: undefined };

function report() {
  writeFileSync(`${prefix}.json`, JSON.stringify(state));
}

if (prefix) {
  const emit = Server.prototype.emit;
  Server.prototype.emit = function (event, request, ...rest) {
    // Synchronous, before the request is handled: the app as it is once started and warmed by nothing.
    if (event === 'request' && !state.rest && request?.url?.startsWith('/slack/events')) {
      state.rest = true;
      writeHeapSnapshot(`${prefix}-rest.heapsnapshot`);
      report();
    }
    return emit.call(this, event, request, ...rest);
  };

  const timer = setInterval(() => {
    if (!state.rest) return;
    const sockets = process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
    if (sockets <= state.mostSockets) return;
    state.mostSockets = sockets;
    if (!state.burst && sockets >= at) {
      state.burst = true;
      state.socketsAtBurst = sockets;
      writeHeapSnapshot(`${prefix}-burst.heapsnapshot`);
    }
    report();
  }, 50);
  timer.unref();
}
