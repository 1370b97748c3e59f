import type * as net from "node:net";
import type { Client } from "ssh2";
import type { Endpoint } from "./dialer";
import type { HostKey } from "../hostkey";
import { ChannelSlots } from "./slots";

/** One SSH connection of the pool and what its users share. */
export class PooledConnection {
  client?: Client;
  /** The TCP socket (none when tunnelled through a jump host). */
  sock?: net.Socket;
  seenKey?: HostKey;
  ready!: Promise<void>;
  proxy?: PooledConnection;
  closed = false;
  readonly slots: ChannelSlots;
  /** Channels open here or on connections tunnelled through here: the socket must stay ref'd. */
  busy = 0;
  /** Open connections tunnelled through this one: it must not be closed. */
  dependents = 0;
  idleTimer?: NodeJS.Timeout;
  constructor(
    /** The identity it is pooled under (`connectionKey`). */
    readonly key: string,
    /** Where it lands (`endpointKey`), for messages. */
    readonly label: string,
    readonly endpoint: Endpoint,
    maxChannels: number,
  ) {
    this.slots = new ChannelSlots(maxChannels);
  }
}
