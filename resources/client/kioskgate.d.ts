// TypeScript declarations for kioskgate.js, the KioskGate browser client.
// Kept in step with kioskgate.js; checked by tests/node/types (tsc --noEmit).

/** Version of this client library. */
export declare const VERSION: string;
/** The protocol version offered as a subprotocol: "kioskgate.v1". */
export declare const PROTOCOL: "kioskgate.v1";
/** Prefix of the subprotocol that carries the token: "kioskgate.bearer.". */
export declare const BEARER_PREFIX: "kioskgate.bearer.";
/** Close codes after which the same token cannot reconnect: 4401, 4403. */
export declare const TERMINAL_CLOSE_CODES: readonly number[];
/** Command names the client carries out: "reset", "reload". */
export declare const COMMAND_NAMES: readonly CommandName[];
/** Prefix of the client's own storage keys; a reset keeps them. */
export declare const STORAGE_PREFIX: "kioskgate.";

export type Transport = "subprotocol" | "ticket";
export type CommandName = "reset" | "reload";
export type ConnectionState = "connecting" | "open" | "reconnecting" | "stopped" | "closed";
export type Jitter = "full" | "decorrelated" | "none";

export interface BackoffOptions {
  /** Ceiling of the first retry's delay, ms (default 1000). */
  initialMs?: number;
  /** No delay is longer than this, ms (default 30000). */
  maxMs?: number;
  /** Growth of the ceiling per failed attempt (default 2). */
  factor?: number;
  /** Jitter strategy (default "full"). */
  jitter?: Jitter;
  /** A connection open this long resets the backoff, ms (default 10000). */
  stableMs?: number;
}

/** A command as the console sends it. */
export interface Command {
  type: "command";
  id: string;
  name: CommandName | string;
  issuedAt?: string;
  expiresAt?: string;
  [field: string]: unknown;
}

/** The first message of every session. */
export interface Welcome {
  type: "welcome";
  kiosk: string;
  session: string;
  heartbeatMs?: number;
  [field: string]: unknown;
}

export interface ConnectOptions {
  /** The kiosk endpoint, ws://host:port/v1/kiosk or wss://…; no credential in it. */
  url: string;
  /** The kiosk's token (a JWT issued by the console). Give this or getToken. */
  token?: string;
  /** Called before every attempt, so a kiosk can hand over a refreshed token. */
  getToken?: () => string | Promise<string>;
  /** How the token travels (default "subprotocol"). */
  transport?: Transport;
  /**
   * Called for each new command after it was acknowledged. Resolve to `true`
   * when the page did the whole job itself (no reload): `done` is sent at
   * once. Otherwise the default action (reset or reload) follows.
   */
  onCommand?: (command: Command) => boolean | void | Promise<boolean | void>;
  /** Where `reset` goes (default: the page's URL without fragment). Same origin. */
  startUrl?: string;
  /** Sent in the status message (default "kioskgate.js/<VERSION>"; 64 chars kept). */
  clientVersion?: string;
  /** The console's http(s) base for tickets and whoami (default: derived from url). */
  httpBase?: string;
  backoff?: BackoffOptions;
}

/** What the client uses from its surroundings; tests pass fakes. */
export interface KioskGateEnv {
  WebSocket?: new (url: string, protocols?: string | string[]) => WebSocket;
  fetch?: (input: string, init?: RequestInit) => Promise<Response>;
  setTimeout?: (callback: () => void, ms: number) => unknown;
  clearTimeout?: (id: unknown) => void;
  /** A number in [0, 1). */
  random?: () => number;
  sessionStorage?: Storage | null;
  localStorage?: Storage | null;
  location?: Pick<Location, "href" | "assign" | "reload"> | null;
  console?: Pick<Console, "warn">;
}

export interface StateChangeDetail {
  state: ConnectionState;
}
export interface ConnectingDetail {
  attempt: number;
  transport: Transport;
}
export interface OpenDetail {
  kiosk: string | null;
  session: string | null;
  welcome: Welcome;
}
export interface CommandDetail {
  command: Command;
  ok: boolean;
  /** "unknown_command" or "no_handler" when ok is false. */
  error?: string;
  /** A redelivery of an id already handled: acked again, not executed. */
  duplicate: boolean;
}
export interface MessageDetail {
  message: { type?: string; [field: string]: unknown };
}
export interface ClosedDetail {
  code: number;
  reason: string;
  wasClean: boolean;
}
export interface ReconnectingDetail {
  attempt: number;
  delayMs: number;
  /** e.g. "connection_lost", "server_going_away", "handshake_failed", "unreachable", "server_full". */
  reason: string;
}
export interface StoppedDetail {
  /** The close code that ended it (4401, 4403, 1008, 1006), or 0 for a refused ticket request. */
  code: number;
  /** The most specific reason known, e.g. "revoked", "expired", "origin_not_allowed", "token_expired". */
  reason: string;
  /** HTTP status from /v1/whoami or /v1/tickets, if one was learned. */
  httpStatus: number | null;
  /** The server's error code, e.g. "revoked_token", "invalid_token". */
  error: string | null;
  /** A short sentence for people. */
  message: string;
}

export interface KioskGateEventMap {
  statechange: KioskGateEvent<StateChangeDetail>;
  connecting: KioskGateEvent<ConnectingDetail>;
  open: KioskGateEvent<OpenDetail>;
  command: KioskGateEvent<CommandDetail>;
  message: KioskGateEvent<MessageDetail>;
  closed: KioskGateEvent<ClosedDetail>;
  reconnecting: KioskGateEvent<ReconnectingDetail>;
  stopped: KioskGateEvent<StoppedDetail>;
}

export declare class KioskGateEvent<T = unknown> extends Event {
  constructor(type: string, detail: T);
  readonly detail: T;
}

export declare class KioskGateConnection extends EventTarget {
  constructor(options: ConnectOptions, env?: KioskGateEnv);
  /** The current state; "stopped" and "closed" are final. */
  readonly state: ConnectionState;
  /** The kiosk name from the last welcome. */
  readonly kiosk: string | null;
  /** The session id from the last welcome. */
  readonly session: string | null;
  /** Closes the connection for good (no reconnect). */
  close(code?: number, reason?: string): void;
  /** Sends a JSON message if the socket is open; returns whether it went. */
  send(message: object): boolean;

  addEventListener<K extends keyof KioskGateEventMap>(
    type: K,
    listener: (event: KioskGateEventMap[K]) => void,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  removeEventListener<K extends keyof KioskGateEventMap>(
    type: K,
    listener: (event: KioskGateEventMap[K]) => void,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void;
}

/** Connects a kiosk to the console; the connection opens in the background. */
export declare function connect(options: ConnectOptions, env?: KioskGateEnv): KioskGateConnection;

/** Delay before reconnect attempt `attempt` (1-based); `random` returns [0, 1). */
export declare function backoffDelay(
  attempt: number,
  previousMs: number,
  backoff: Required<Pick<BackoffOptions, "initialMs" | "maxMs" | "factor" | "jitter">>,
  random: () => number,
): number;

/** The console's http(s) base derived from the kiosk WebSocket URL. */
export declare function httpBaseOf(wsUrl: string): string;

export declare const KioskGate: Readonly<{
  connect: typeof connect;
  VERSION: string;
  PROTOCOL: "kioskgate.v1";
  TERMINAL_CLOSE_CODES: readonly number[];
  COMMAND_NAMES: readonly CommandName[];
  backoffDelay: typeof backoffDelay;
  httpBaseOf: typeof httpBaseOf;
}>;

export default KioskGate;
