import { subscribe, unsubscribe } from "node:diagnostics_channel";

/** Collects `parallel-threads:call:end` events: each core call must end exactly once. */
export function endEvents() {
  const ends = new Map();
  const states = {};
  const onEnd = (message) => {
    ends.set(message.call, (ends.get(message.call) ?? 0) + 1);
    states[message.state] = (states[message.state] ?? 0) + 1;
  };
  subscribe("parallel-threads:call:end", onEnd);
  return {
    stop() {
      unsubscribe("parallel-threads:call:end", onEnd);
      let duplicates = 0;
      for (const count of ends.values()) if (count > 1) duplicates++;
      return { events: [...ends.values()].reduce((a, b) => a + b, 0), calls: ends.size, duplicates, states };
    },
  };
}
