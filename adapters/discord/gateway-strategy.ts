import {
  GatewayDispatchEvents,
  type GatewayDispatchPayload,
  type IShardingStrategy,
  SimpleShardingStrategy,
  type WebSocketOptions,
} from 'discord.js';

/** @discordjs/ws's manager, as `ws.buildStrategy` receives it (discord.js exports its own class of that name). */
type GatewayManager = Parameters<NonNullable<WebSocketOptions['buildStrategy']>>[0];

/** Told about a gateway packet discord.js could not handle; the packet is dropped, the connection goes on. */
export type DispatchFailure = (error: unknown, packet: GatewayDispatchPayload | undefined) => void;

/** @discordjs/ws's name for the shard event that carries a dispatch (op 0) packet. */
const DISPATCH_EVENT = 'dispatch';

/**
 * The gateway strategy of our client: @discordjs/ws's own SimpleShardingStrategy (every shard in this
 * process), handed a manager whose `emit` cannot throw.
 *
 * Why: discord.js builds interactions synchronously inside the manager's `dispatch` event, which the
 * strategy emits from each shard's WebSocket message handler. A packet discord.js cannot read (an
 * INTERACTION_CREATE without `entitlements`, or without a user) throws there, the throw becomes an
 * unhandled rejection, and Node exits with code 1. Guarding that one emit makes a bad packet fail only
 * itself. The façade forwards everything else to the real manager, untouched; plugged in through
 * discord.js's documented `ws.buildStrategy` client option.
 */
export function guardedStrategy(manager: GatewayManager, onFailure: DispatchFailure): IShardingStrategy {
  const emit = (event: string, payload?: { data?: unknown }): boolean => {
    const packet = event === DISPATCH_EVENT ? (payload?.data as GatewayDispatchPayload) : undefined;
    try {
      if (packet) normalizeDispatch(packet);
      return (manager.emit as (name: string, value: unknown) => boolean).call(manager, event, payload);
    } catch (error) {
      onFailure(error, packet);
      return true;
    }
  };
  const facade = new Proxy(manager, {
    get(target, property) {
      if (property === 'emit') return emit;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return new SimpleShardingStrategy(facade);
}

/**
 * Fills in what Discord documents as always present but some answers lack, where the missing value has one
 * obvious meaning: an interaction without `entitlements` has none. discord.js would throw on it, and the
 * requester would get no answer at all.
 */
export function normalizeDispatch(packet: GatewayDispatchPayload): void {
  if (packet.t !== GatewayDispatchEvents.InteractionCreate) return;
  const data = packet.d as unknown as Record<string, unknown> | null;
  if (data && typeof data === 'object' && !Array.isArray(data.entitlements)) data.entitlements = [];
}
