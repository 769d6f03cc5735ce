// Fakes for the unit tests of resources/client/kioskgate.js: a manual clock,
// a scripted WebSocket, fetch, Storage and location. They are handed to the
// client through its `env` argument; no global is patched.

/** Lets pending promise callbacks and event handlers run (bounded). */
export async function settle(turns = 20) {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** setTimeout/clearTimeout on a clock that moves only when told to. */
export class FakeClock {
  constructor() {
    this.now = 0;
    this.timers = new Map();
    this.nextId = 1;
    this.setTimeout = (fn, ms) => {
      const id = this.nextId++;
      this.timers.set(id, { at: this.now + Math.max(0, ms || 0), fn });
      return id;
    };
    this.clearTimeout = (id) => {
      this.timers.delete(id);
    };
  }

  /** Runs every timer due within `ms`, in order, settling promises between them. */
  async advance(ms) {
    const target = this.now + ms;
    await settle();
    for (let guard = 0; guard < 10000; guard++) {
      let next = null;
      for (const [id, timer] of this.timers) {
        if (timer.at <= target && (next === null || timer.at < next.timer.at)) next = { id, timer };
      }
      if (next === null) break;
      this.timers.delete(next.id);
      this.now = next.timer.at;
      next.timer.fn();
      await settle();
    }
    this.now = target;
    await settle();
  }
}

/** A Storage with the Web Storage API. */
export class FakeStorage {
  constructor(entries = {}) {
    this.map = new Map(Object.entries(entries));
  }
  get length() {
    return this.map.size;
  }
  key(i) {
    return [...this.map.keys()][i] ?? null;
  }
  getItem(key) {
    return this.map.has(key) ? this.map.get(key) : null;
  }
  setItem(key, value) {
    this.map.set(key, String(value));
  }
  removeItem(key) {
    this.map.delete(key);
  }
  entries() {
    return Object.fromEntries(this.map);
  }
}

/**
 * Builds a fake environment. `log` records, in order, what the client did to
 * the outside world: "send:<json>", "assign:<url>", "reload", "fetch:<method> <url>".
 */
export function makeEnv({ fetchHandler, random = () => 0.5, location = true, href } = {}) {
  const clock = new FakeClock();
  const log = [];
  const sockets = [];
  const fetches = [];

  class FakeWebSocket {
    constructor(url, protocols) {
      this.url = url;
      this.protocols = protocols;
      this.readyState = 0;
      this.bufferedAmount = 0;
      this.sent = [];
      this.onopen = this.onmessage = this.onerror = this.onclose = null;
      sockets.push(this);
    }
    send(data) {
      if (this.readyState !== 1) throw new Error('send on a socket that is not open');
      this.sent.push(JSON.parse(data));
      log.push('send:' + data);
    }
    close(code = 1000, reason = '') {
      if (this.readyState >= 2) return;
      this.readyState = 2;
      setImmediate(() => this._closed(code, reason, true));
    }
    // -- driven by the test (the "server" side) --
    accept() {
      this.readyState = 1;
      this.onopen?.({});
    }
    welcome(kiosk = 'lobby-1', session = 'abcdef0123456789') {
      this.message({ type: 'welcome', kiosk, session, heartbeatMs: 15000 });
    }
    message(object) {
      this.onmessage?.({ data: typeof object === 'string' ? object : JSON.stringify(object) });
    }
    refuse() {
      // What a browser shows for a refused handshake: error, then 1006.
      this.onerror?.({});
      this._closed(1006, '', false);
    }
    serverClose(code, reason = '') {
      this._closed(code, reason, code !== 1006);
    }
    _closed(code, reason, wasClean) {
      if (this.readyState === 3) return;
      this.readyState = 3;
      this.onclose?.({ code, reason, wasClean });
    }
  }

  const fetch = async (url, init = {}) => {
    fetches.push({ url, init });
    log.push(`fetch:${init.method || 'GET'} ${url}`);
    if (!fetchHandler) throw new TypeError('Failed to fetch');
    const answer = await fetchHandler(url, init);
    if (answer instanceof Error) throw answer;
    const headers = new Map(Object.entries(answer.headers || {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
    return {
      status: answer.status,
      headers: { get: (name) => (headers.has(name.toLowerCase()) ? headers.get(name.toLowerCase()) : null) },
      json: async () => {
        if (answer.body === undefined) throw new SyntaxError('no JSON');
        return answer.body;
      },
    };
  };

  const fakeLocation = location
    ? {
        href: href || 'http://kiosk.test:8080/app/?mode=lobby#panel',
        assigned: [],
        reloads: 0,
        assign(url) {
          this.assigned.push(url);
          log.push('assign:' + url);
        },
        reload() {
          this.reloads += 1;
          log.push('reload');
        },
      }
    : null;

  const warnings = [];
  const env = {
    WebSocket: FakeWebSocket,
    fetch,
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
    random,
    sessionStorage: new FakeStorage(),
    localStorage: new FakeStorage(),
    location: fakeLocation,
    console: { warn: (text) => warnings.push(text) },
  };
  return { env, clock, log, sockets, fetches, warnings, last: () => sockets[sockets.length - 1] };
}

/** Collects a connection's events as {type, detail}. */
export function recordEvents(connection) {
  const events = [];
  for (const type of ['statechange', 'connecting', 'open', 'command', 'message', 'closed', 'reconnecting', 'stopped']) {
    connection.addEventListener(type, (event) => events.push({ type, detail: event.detail }));
  }
  return events;
}
