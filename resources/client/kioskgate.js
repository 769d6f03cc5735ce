// KioskGate browser client: an ES module with no dependencies.
//
// Served by the console at /kioskgate.js and kept in the repository at
// resources/client/kioskgate.js (types: kioskgate.d.ts). How a kiosk page
// uses it: docs/kiosk-setup.md. The wire protocol: docs/protocol.md.
//
//   import { KioskGate } from "http://console.lan:8765/kioskgate.js";
//   const kiosk = KioskGate.connect({ url: "ws://console.lan:8765/v1/kiosk", token });
//   kiosk.addEventListener("statechange", () => show(kiosk.state));
//
// What it does:
// - opens the kiosk WebSocket with the token in a subprotocol
//   ("kioskgate.bearer.<token>") or with a one-time ticket (?ticket=) fetched
//   from POST /v1/tickets with the token in the Authorization header. The
//   token itself never goes into a URL, a log line or an event;
// - reconnects with capped exponential backoff and jitter, and stops for good
//   when retrying cannot help (token expired or revoked, origin refused),
//   asking GET /v1/whoami why, because browsers hide the handshake's status;
// - acknowledges each command before acting on it, runs `reset` and `reload`
//   (or the page's own handler), and reports `done` for the command after the
//   page has reloaded and reconnected.
//
// Everything the client touches in its surroundings (WebSocket, fetch, timers,
// randomness, storage, location) comes from an optional `env` argument, so the
// unit tests in tests/node run it with fakes and no globals are patched.

export const VERSION = "1.0.0";

/** The protocol version the client speaks; offered as a subprotocol. */
export const PROTOCOL = "kioskgate.v1";
/** Prefix of the subprotocol that carries the token. */
export const BEARER_PREFIX = "kioskgate.bearer.";
/** Close codes after which reconnecting with the same token cannot work. */
export const TERMINAL_CLOSE_CODES = Object.freeze([4401, 4403]);
/** Command names the client knows how to carry out. */
export const COMMAND_NAMES = Object.freeze(["reset", "reload"]);

/** Keys of the client's own storage entries; a reset keeps them. */
export const STORAGE_PREFIX = "kioskgate.";
const HANDLED_KEY = STORAGE_PREFIX + "handled"; // command ids already acked ok
const PENDING_KEY = STORAGE_PREFIX + "pending"; // ids to report `done` for

const DEFAULT_BACKOFF = Object.freeze({
  initialMs: 1000, // ceiling of the first retry's delay
  maxMs: 30000, // no delay is longer than this
  factor: 2, // growth of the ceiling per failed attempt ("full", "none")
  jitter: "full", // "full" | "decorrelated" | "none"
  stableMs: 10000, // a connection open this long resets the backoff
});

const MAX_HANDLED_IDS = 50; // bounded memory of handled command ids
const MAX_PENDING_IDS = 20;
const MAX_ID_LENGTH = 200;
const MAX_MESSAGE_CHARS = 65536; // the server's own frame limit
const WELCOME_TIMEOUT_MS = 10000; // open but no welcome: try again
const HTTP_TIMEOUT_MS = 10000; // tickets and whoami
const FLUSH_TIMEOUT_MS = 1000; // wait for the ack to leave before reloading
const MAX_RETRY_AFTER_MS = 3600000;

/** The event type the connection dispatches: a DOM Event with a `detail`. */
export class KioskGateEvent extends Event {
  constructor(type, detail) {
    super(type);
    this.detail = detail;
  }
}

/**
 * Delay before reconnect attempt `attempt` (1 for the first retry).
 * `previousMs` is the delay used before the previous attempt (decorrelated
 * jitter builds on it). `random` returns a number in [0, 1).
 *
 * - "none":         min(maxMs, initialMs * factor^(attempt-1))
 * - "full":         uniform in [0, that ceiling)  (spreads a fleet out best)
 * - "decorrelated": min(maxMs, uniform in [initialMs, 3 * previousMs))
 */
export function backoffDelay(attempt, previousMs, backoff, random) {
  const { initialMs, maxMs, factor, jitter } = backoff;
  const ceiling = Math.min(maxMs, initialMs * Math.pow(factor, Math.max(0, attempt - 1)));
  if (jitter === "none") return Math.round(ceiling);
  if (jitter === "decorrelated") {
    const upper = Math.max(initialMs, 3 * (previousMs || initialMs));
    return Math.round(Math.min(maxMs, initialMs + random() * (upper - initialMs)));
  }
  return Math.floor(random() * ceiling);
}

/**
 * The http(s) base of the console, derived from the kiosk WebSocket URL:
 * ws → http, wss → https, and the "/v1/kiosk" path removed (so a console
 * behind a reverse proxy under a path prefix works too).
 */
export function httpBaseOf(wsUrl) {
  const url = new URL(wsUrl);
  if (url.protocol !== "ws:" && url.protocol !== "wss:") {
    throw new TypeError("KioskGate: url must start with ws:// or wss://");
  }
  const scheme = url.protocol === "wss:" ? "https:" : "http:";
  const path = url.pathname.replace(/\/v1\/kiosk\/?$/, "").replace(/\/$/, "");
  return scheme + "//" + url.host + path;
}

/** The defaults of `env`: the browser's (or Node's) own globals. */
function defaultEnv() {
  const g = globalThis;
  const storage = (name) => {
    try {
      return g[name] || null; // throws in sandboxed frames
    } catch {
      return null;
    }
  };
  return {
    WebSocket: g.WebSocket,
    fetch: typeof g.fetch === "function" ? g.fetch.bind(g) : undefined,
    setTimeout: (fn, ms) => g.setTimeout(fn, ms),
    clearTimeout: (id) => g.clearTimeout(id),
    random: Math.random,
    sessionStorage: storage("sessionStorage"),
    localStorage: storage("localStorage"),
    location: g.location || null,
    console: g.console,
  };
}

/** JSON list kept in a Storage, with an in-memory fallback. */
class StoredList {
  constructor(storage, key, limit) {
    this.storage = storage;
    this.key = key;
    this.limit = limit;
    this.memory = [];
  }
  read() {
    if (!this.storage) return this.memory.slice();
    try {
      const value = JSON.parse(this.storage.getItem(this.key) || "[]");
      return Array.isArray(value) ? value.filter((v) => typeof v === "string") : [];
    } catch {
      return [];
    }
  }
  write(list) {
    const bounded = list.slice(-this.limit); // keep the newest
    this.memory = bounded;
    if (!this.storage) return;
    try {
      if (bounded.length) this.storage.setItem(this.key, JSON.stringify(bounded));
      else this.storage.removeItem(this.key);
    } catch {
      // quota or disabled storage: the in-memory copy still works for this page
    }
  }
  has(id) {
    return this.read().includes(id);
  }
  add(id) {
    const list = this.read().filter((v) => v !== id);
    list.push(id);
    this.write(list);
  }
  remove(id) {
    this.write(this.read().filter((v) => v !== id));
  }
}

/** Removes every entry of `storage` except the client's own. */
function clearExceptOwn(storage) {
  if (!storage) return;
  const keys = [];
  for (let i = 0; i < storage.length; i++) keys.push(storage.key(i));
  for (const key of keys) {
    if (key !== null && !key.startsWith(STORAGE_PREFIX)) storage.removeItem(key);
  }
}

/** Reads a Retry-After header given in seconds; null if absent or unusable. */
function retryAfterMs(response) {
  const value = response && response.headers && response.headers.get ? response.headers.get("Retry-After") : null;
  if (value === null || value === undefined || !/^\d+$/.test(String(value).trim())) return null;
  return Math.min(MAX_RETRY_AFTER_MS, Number(value) * 1000);
}

/**
 * A kiosk's connection to the console. Create it with KioskGate.connect().
 *
 * `state` is one of "connecting" (opening, or waiting for `welcome`),
 * "open", "reconnecting" (waiting out a backoff delay), "stopped" (given up
 * for good, see the `stopped` event) and "closed" (close() was called).
 *
 * Events (KioskGateEvent, data in `event.detail`):
 *   statechange  {state}
 *   connecting   {attempt, transport}
 *   open         {kiosk, session, welcome}
 *   command      {command, ok, error?, duplicate}
 *   message      {message}            any other server message (e.g. error)
 *   closed       {code, reason, wasClean}
 *   reconnecting {attempt, delayMs, reason}
 *   stopped      {code, reason, httpStatus, error, message}
 */
export class KioskGateConnection extends EventTarget {
  constructor(options, env) {
    super();
    if (!options || typeof options.url !== "string") throw new TypeError("KioskGate.connect: url is required");
    if (!options.token && typeof options.getToken !== "function") {
      throw new TypeError("KioskGate.connect: token or getToken is required");
    }
    const transport = options.transport || "subprotocol";
    if (transport !== "subprotocol" && transport !== "ticket") {
      throw new TypeError('KioskGate.connect: transport must be "subprotocol" or "ticket"');
    }
    const query = new URL(options.url).searchParams;
    if (query.has("access_token") || query.has("ticket")) {
      // The client manages credentials itself; a token in the URL leaks.
      throw new TypeError("KioskGate.connect: url must not carry access_token or ticket");
    }
    this._env = { ...defaultEnv(), ...(env || {}) };
    if (typeof this._env.WebSocket !== "function") throw new TypeError("KioskGate.connect: no WebSocket available");
    this._url = options.url;
    this._httpBase = options.httpBase ? options.httpBase.replace(/\/$/, "") : httpBaseOf(options.url);
    this._transport = transport;
    this._staticToken = options.token || null;
    this._getToken = options.getToken || null;
    this._onCommand = typeof options.onCommand === "function" ? options.onCommand : null;
    this._startUrl = options.startUrl || null;
    this._clientVersion = String(options.clientVersion || "kioskgate.js/" + VERSION).slice(0, 64);
    this._backoff = { ...DEFAULT_BACKOFF, ...(options.backoff || {}) };
    this._handled = new StoredList(this._env.sessionStorage, HANDLED_KEY, MAX_HANDLED_IDS);
    this._pending = new StoredList(this._env.sessionStorage, PENDING_KEY, MAX_PENDING_IDS);

    this.state = "connecting";
    this.kiosk = null; // from the last welcome
    this.session = null;
    this._ws = null;
    this._attempt = 0; // failed attempts since the last stable connection
    this._previousDelay = 0;
    this._timers = new Set();
    this._stableTimer = null;
    this._ended = false; // stopped or closed: nothing may start again
    this._tokenInUse = null; // the token of the current socket (never exposed)
    this._reloading = false;

    // Start after the caller has had a chance to add listeners.
    this._later(0, () => this._attemptConnect());
  }

  /** Closes the connection for good (no reconnect). */
  close(code = 1000, reason = "kiosk closing") {
    if (this._ended) return;
    this._ended = true;
    this._clearTimers();
    const ws = this._ws;
    this._setState("closed");
    if (ws && ws.readyState <= 1) {
      try {
        ws.close(code, reason);
      } catch {
        // already closing
      }
    }
  }

  /** Sends a JSON message if the socket is open; returns whether it went. */
  send(message) {
    const ws = this._ws;
    if (!ws || ws.readyState !== 1) return false;
    ws.send(JSON.stringify(message));
    return true;
  }

  // -- internals ------------------------------------------------------------

  _emit(type, detail) {
    this.dispatchEvent(new KioskGateEvent(type, detail));
  }

  _setState(state) {
    if (this.state === state) return;
    this.state = state;
    this._emit("statechange", { state });
  }

  _later(ms, fn) {
    const id = this._env.setTimeout(() => {
      this._timers.delete(id);
      fn();
    }, ms);
    this._timers.add(id);
    return id;
  }

  _cancel(id) {
    if (id === null || id === undefined) return;
    this._env.clearTimeout(id);
    this._timers.delete(id);
  }

  _clearTimers() {
    for (const id of this._timers) this._env.clearTimeout(id);
    this._timers.clear();
    this._stableTimer = null;
  }

  async _token() {
    const token = this._getToken ? await this._getToken() : this._staticToken;
    if (typeof token !== "string" || token === "") throw new Error("no token");
    return token;
  }

  /** fetch with a time limit; rejects on network errors and timeouts. */
  _fetch(path, init) {
    const fetch = this._env.fetch;
    if (typeof fetch !== "function") return Promise.reject(new Error("fetch unavailable"));
    return new Promise((resolve, reject) => {
      const timer = this._later(HTTP_TIMEOUT_MS, () => reject(new Error("timeout")));
      fetch(this._httpBase + path, { cache: "no-store", credentials: "omit", mode: "cors", ...init }).then(
        (response) => {
          this._cancel(timer);
          resolve(response);
        },
        (error) => {
          this._cancel(timer);
          reject(error);
        },
      );
    });
  }

  /**
   * Asks GET /v1/whoami what the server thinks of `token`.
   * Resolves {status, error, reason, retryAfterMs} or {status: 0} when the
   * server cannot be reached (or CORS refuses this origin).
   */
  async _whoami(token) {
    let response;
    try {
      response = await this._fetch("/v1/whoami", {
        method: "GET",
        headers: { Authorization: "Bearer " + token },
      });
    } catch {
      return { status: 0, error: "unreachable", reason: null, retryAfterMs: null };
    }
    let body = null;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
    return {
      status: response.status,
      error: body && typeof body.error === "string" ? body.error : null,
      reason: body && typeof body.reason === "string" ? body.reason : null,
      retryAfterMs: retryAfterMs(response),
    };
  }

  async _attemptConnect() {
    if (this._ended) return;
    this._setState("connecting");
    this._emit("connecting", { attempt: this._attempt + 1, transport: this._transport });

    let token;
    try {
      token = await this._token();
    } catch {
      return this._retry("token_unavailable");
    }
    if (this._ended) return;

    let socketUrl = this._url;
    let protocols = [PROTOCOL, BEARER_PREFIX + token];
    if (this._transport === "ticket") {
      const ticket = await this._fetchTicket(token);
      if (this._ended || ticket === null) return; // _fetchTicket decided
      socketUrl = this._url + (this._url.includes("?") ? "&" : "?") + "ticket=" + encodeURIComponent(ticket);
      protocols = [PROTOCOL];
    }

    let ws;
    try {
      ws = new this._env.WebSocket(socketUrl, protocols);
    } catch {
      return this._retry("socket_error");
    }
    this._ws = ws;
    this._tokenInUse = token;
    let opened = false;
    let welcomed = false;
    let welcomeTimer = null;

    ws.onopen = () => {
      opened = true;
      welcomeTimer = this._later(WELCOME_TIMEOUT_MS, () => {
        if (!welcomed && ws.readyState === 1) ws.close(1000, "no welcome");
      });
    };
    ws.onmessage = (event) => {
      if (this._ws !== ws || typeof event.data !== "string" || event.data.length > MAX_MESSAGE_CHARS) return;
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (!message || typeof message !== "object") return;
      if (message.type === "welcome") {
        welcomed = true;
        this._cancel(welcomeTimer);
        this._onWelcome(message);
      } else if (message.type === "command") {
        this._onCommandMessage(message);
      } else {
        this._emit("message", { message });
      }
    };
    ws.onerror = () => {}; // the close event that follows carries what we know
    ws.onclose = (event) => {
      this._cancel(welcomeTimer);
      if (this._ws !== ws) return;
      this._ws = null;
      this._cancel(this._stableTimer);
      this._stableTimer = null;
      const code = event.code;
      const reason = event.reason || "";
      this._emit("closed", { code, reason, wasClean: !!event.wasClean });
      if (this._ended) return; // close() was called
      if (this._reloading) return; // the page is going away on purpose
      this._afterClose(code, reason, opened, token);
    };
  }

  /** POST /v1/tickets; resolves the ticket, or null after deciding what next. */
  async _fetchTicket(token) {
    let response;
    try {
      response = await this._fetch("/v1/tickets", {
        method: "POST",
        headers: { Authorization: "Bearer " + token },
      });
    } catch {
      this._retry("unreachable");
      return null;
    }
    if (this._ended) return null;
    let body = null;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
    if (response.status === 200 && body && typeof body.ticket === "string" && body.ticket) return body.ticket;
    const refusal = {
      status: response.status,
      error: body && typeof body.error === "string" ? body.error : null,
      reason: body && typeof body.reason === "string" ? body.reason : null,
      retryAfterMs: retryAfterMs(response),
    };
    if (response.status === 401 || response.status === 403) {
      this._stop(0, refusal, "the console refused the ticket request");
    } else if (response.status === 400 || response.status === 404 || response.status === 405) {
      this._stop(0, refusal, "the console does not offer tickets as this client expects");
    } else {
      this._retry(refusal.error || "ticket_unavailable", refusal.retryAfterMs);
    }
    return null;
  }

  /** Decides what follows a close that the page did not ask for. */
  async _afterClose(code, reason, opened, token) {
    if (TERMINAL_CLOSE_CODES.includes(code)) {
      // Retrying with the same token cannot work. A getToken() that now
      // yields a different token (the kiosk refreshed it) may go on.
      let next = null;
      try {
        next = await this._token();
      } catch {
        next = null;
      }
      if (this._ended) return;
      if (next !== null && next !== token) return this._retry(code === 4401 ? "token_expired" : "token_revoked");
      const who = await this._whoami(token);
      if (this._ended) return;
      const fallback = code === 4401 ? "token_expired" : "token_revoked";
      return this._stop(code, { ...who, error: who.error || fallback, reason: who.reason || fallback },
        code === 4401 ? "the token expired" : "the token was revoked");
    }
    if (code === 1008 || (code === 1006 && !opened)) {
      // 1006 before open: the handshake was refused, and the browser hides
      // the HTTP status. 1008: policy. Either way the server can tell why.
      let current = token;
      try {
        current = await this._token();
      } catch {
        current = token;
      }
      const who = await this._whoami(current);
      if (this._ended) return;
      if (who.status === 401 || who.status === 403) {
        return this._stop(code, who, "the console refuses this kiosk");
      }
      if (code === 1008) {
        return this._stop(code, { ...who, error: "policy_violation", reason: reason || "policy_violation" },
          "the console closed the connection for a policy violation");
      }
      if (who.status === 429 || who.status === 503) {
        return this._retry(who.error || "busy", who.retryAfterMs);
      }
      return this._retry(who.status === 0 ? "unreachable" : "handshake_failed");
    }
    return this._retry(code === 1001 ? "server_going_away" : "connection_lost");
  }

  _retry(reason, retryAfter = null) {
    if (this._ended) return;
    this._attempt += 1;
    let delayMs = backoffDelay(this._attempt, this._previousDelay, this._backoff, this._env.random);
    if (retryAfter !== null && retryAfter !== undefined) {
      // Wait at least what the server asked for, plus jitter so that a
      // fleet told the same Retry-After does not come back in one burst.
      delayMs = Math.max(delayMs, Math.round(retryAfter + this._env.random() * this._backoff.initialMs));
    }
    this._previousDelay = delayMs;
    this._setState("reconnecting");
    this._emit("reconnecting", { attempt: this._attempt, delayMs, reason });
    this._later(delayMs, () => this._attemptConnect());
  }

  _stop(code, who, message) {
    if (this._ended) return;
    this._ended = true;
    this._clearTimers();
    const detail = {
      code,
      reason: who.reason || who.error || "refused",
      httpStatus: who.status || null,
      error: who.error || null,
      message,
    };
    this._setState("stopped");
    this._emit("stopped", detail);
  }

  _onWelcome(welcome) {
    this.kiosk = typeof welcome.kiosk === "string" ? welcome.kiosk : null;
    this.session = typeof welcome.session === "string" ? welcome.session : null;
    this._setState("open");
    // Once the connection has been up for stableMs, start backoff afresh.
    this._cancel(this._stableTimer);
    this._stableTimer = this._later(this._backoff.stableMs, () => {
      this._stableTimer = null;
      this._attempt = 0;
      this._previousDelay = 0;
    });
    this.send({ type: "status", clientVersion: this._clientVersion, pageUrl: this._pageUrl() });
    for (const id of this._pending.read()) {
      if (this.send({ type: "done", id })) this._pending.remove(id);
    }
    this._emit("open", { kiosk: this.kiosk, session: this.session, welcome });
  }

  /** The page's URL without query and fragment (they may hold secrets). */
  _pageUrl() {
    const location = this._env.location;
    if (!location || !location.href) return "";
    try {
      const url = new URL(location.href);
      return (url.origin + url.pathname).slice(0, 2048);
    } catch {
      return "";
    }
  }

  /** The default start URL for `reset`: the page's URL without fragment. */
  _resetTarget() {
    if (this._startUrl) return this._startUrl;
    return String(this._env.location.href).split("#")[0];
  }

  async _onCommandMessage(command) {
    const id = command.id;
    if (typeof id !== "string" || id === "" || id.length > MAX_ID_LENGTH) return; // cannot ack
    const name = command.name;

    if (this._handled.has(id)) {
      // A redelivery (idempotent by id): confirm again, act never twice.
      this.send({ type: "ack", id, ok: true });
      this._emit("command", { command, ok: true, duplicate: true });
      return;
    }

    // Decide first whether this kiosk can act at all, so that the ack
    // (sent before acting) tells the truth.
    let error = null;
    if (!COMMAND_NAMES.includes(name)) error = "unknown_command";
    else if (!this._onCommand && !this._env.location) error = "no_handler";
    if (error) {
      this.send({ type: "ack", id, ok: false, error });
      this._emit("command", { command, ok: false, error, duplicate: false });
      return;
    }

    this._handled.add(id);
    this.send({ type: "ack", id, ok: true });
    this._emit("command", { command, ok: true, duplicate: false });

    // The page's handler runs first. Resolving to `true` means it did the
    // whole job in place (no reload): `done` goes out now. Anything else
    // lets the default action follow. A failing handler does not stop a
    // reset the operator asked for; it is reported on the console.
    if (this._onCommand) {
      let handled = false;
      try {
        handled = (await this._onCommand(command)) === true;
      } catch (e) {
        this._env.console?.warn?.("KioskGate: onCommand failed for " + name + " " + id + ": " + (e && e.message));
      }
      if (this._ended) return;
      if (handled) {
        if (!this.send({ type: "done", id })) this._pending.add(id);
        return;
      }
      if (!this._env.location) return; // nothing more this client can do here
    }

    // The default action reloads the page: remember the id so that the next
    // page reports `done` after its welcome.
    this._pending.add(id);
    await this._flush();
    this._reloading = true;
    if (name === "reset") {
      clearExceptOwn(this._env.localStorage);
      clearExceptOwn(this._env.sessionStorage);
      this._env.location.assign(this._resetTarget());
    } else {
      this._env.location.reload();
    }
  }

  /** Waits (bounded) until the socket has handed the ack to the network. */
  _flush() {
    return new Promise((resolve) => {
      let checks = Math.ceil(FLUSH_TIMEOUT_MS / 20);
      const check = () => {
        const ws = this._ws;
        if (!ws || !ws.bufferedAmount || --checks <= 0) resolve();
        else this._later(20, check);
      };
      check();
    });
  }
}

/**
 * Connects a kiosk to the console. Returns the connection at once; it opens
 * in the background and reports through events. See KioskGateConnection.
 *
 * options: {url, token | getToken, transport ("subprotocol" | "ticket"),
 *           onCommand, startUrl, clientVersion, httpBase,
 *           backoff: {initialMs, maxMs, factor, jitter, stableMs}}
 * env (for tests; defaults to the page's globals): {WebSocket, fetch,
 *   setTimeout, clearTimeout, random, sessionStorage, localStorage, location,
 *   console}
 */
export function connect(options, env) {
  return new KioskGateConnection(options, env);
}

export const KioskGate = Object.freeze({
  connect,
  VERSION,
  PROTOCOL,
  TERMINAL_CLOSE_CODES,
  COMMAND_NAMES,
  backoffDelay,
  httpBaseOf,
});

export default KioskGate;
