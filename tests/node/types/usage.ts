// Compile-only usage of resources/client/kioskgate.d.ts (tsc --noEmit, see
// ../types.test.mjs). The @ts-expect-error lines must stay errors: they prove
// the declarations are strict where the client is.

import KioskGateDefault, {
  KioskGate,
  KioskGateConnection,
  KioskGateEvent,
  PROTOCOL,
  TERMINAL_CLOSE_CODES,
  backoffDelay,
  connect,
  httpBaseOf,
  type Command,
  type ConnectionState,
  type StoppedDetail,
} from '../../../resources/client/kioskgate.js';

const token = 'header.payload.signature';

const kiosk: KioskGateConnection = KioskGate.connect({
  url: 'ws://console.lan:8765/v1/kiosk',
  token,
  transport: 'subprotocol',
  clientVersion: 'lobby/1.0',
  startUrl: '/',
  backoff: { initialMs: 500, maxMs: 20000, factor: 2, jitter: 'decorrelated', stableMs: 10000 },
  onCommand: async (command: Command) => {
    const name: string = command.name;
    return name === 'reset';
  },
});

const state: ConnectionState = kiosk.state;
kiosk.addEventListener('open', (event) => {
  const who: string | null = event.detail.kiosk;
  const session: string | null = event.detail.session;
  void who;
  void session;
});
kiosk.addEventListener('reconnecting', (event) => {
  const ms: number = event.detail.delayMs;
  const attempt: number = event.detail.attempt;
  void ms;
  void attempt;
});
kiosk.addEventListener('stopped', (event) => {
  const detail: StoppedDetail = event.detail;
  const code: number = detail.code;
  const status: number | null = detail.httpStatus;
  void code;
  void status;
});
kiosk.addEventListener('closed', (event) => {
  const code: number = event.detail.code;
  void code;
});
kiosk.addEventListener('command', (event) => {
  const ok: boolean = event.detail.ok;
  const id: string = event.detail.command.id;
  void ok;
  void id;
});
kiosk.addEventListener('statechange', (event) => void (event.detail.state satisfies ConnectionState));
kiosk.close();
kiosk.close(1000, 'bye');
const sent: boolean = kiosk.send({ type: 'status' });

const ticketKiosk = connect(
  { url: 'wss://console.example/v1/kiosk', getToken: async () => token, transport: 'ticket' },
  { random: () => 0.5, setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: () => undefined },
);
const ev = new KioskGateEvent<{ n: number }>('x', { n: 1 });
const n: number = ev.detail.n;
const delay: number = backoffDelay(1, 0, { initialMs: 1, maxMs: 2, factor: 2, jitter: 'full' }, Math.random);
const base: string = httpBaseOf('ws://a/v1/kiosk');
const protocol: 'kioskgate.v1' = PROTOCOL;
const codes: readonly number[] = TERMINAL_CLOSE_CODES;
const same: typeof KioskGate = KioskGateDefault;
void [state, sent, ticketKiosk, n, delay, base, protocol, codes, same];

// @ts-expect-error an unknown transport is not accepted
connect({ url: 'ws://a/v1/kiosk', token, transport: 'query' });
// @ts-expect-error url is required
connect({ token });
// @ts-expect-error jitter has three values
connect({ url: 'ws://a/v1/kiosk', token, backoff: { jitter: 'some' } });
// @ts-expect-error state is read-only
kiosk.state = 'open';
kiosk.addEventListener('open', (event) => {
  // @ts-expect-error the open event carries no delay
  void event.detail.delayMs;
});
