// A minimal browser kiosk page for the Chromium tests. It does nothing on
// load; the test calls window.connectKiosk(url, token, timeoutMs), which
// opens the WebSocket with the subprotocol pair the way a real kiosk page
// does and resolves with what the page saw. The token never appears in the
// page's URL.

export const kioskPageHtml = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>KioskGate e2e kiosk</title>
<style>
  body { font: 28px/1.4 sans-serif; margin: 48px; background: #f4f6f8; color: #222; }
  h1 { font-size: 36px; margin: 0 0 24px; }
  #status { font-weight: bold; padding: 16px 24px; border-radius: 8px; background: #ddd; display: inline-block; }
  #status.ok { background: #c8efd0; color: #114d1f; }
  #status.bad { background: #f6cccc; color: #6b1111; }
  #details { font: 18px monospace; color: #555; margin-top: 24px; white-space: pre-wrap; }
</style>
</head>
<body>
<h1>KioskGate kiosk</h1>
<div id="status">idle</div>
<div id="details"></div>
<script>
window.connectKiosk = (url, token, timeoutMs) => new Promise((resolve) => {
  const status = document.getElementById('status');
  const details = document.getElementById('details');
  const result = { origin: location.origin, events: [], welcome: null, protocol: null, closeCode: null, error: false };
  let done = false;
  const finish = () => { if (!done) { done = true; clearTimeout(timer); resolve(result); } };
  const timer = setTimeout(() => { result.events.push('timeout'); finish(); }, timeoutMs);
  status.textContent = 'connecting';
  const ws = new WebSocket(url, ['kioskgate.v1', 'kioskgate.bearer.' + token]);
  window.kioskSocket = ws;
  ws.onopen = () => { result.events.push('open'); result.protocol = ws.protocol; };
  ws.onmessage = (event) => {
    let message = null;
    try { message = JSON.parse(event.data); } catch (e) { result.events.push('bad-json'); }
    result.events.push('message:' + (message && message.type));
    if (message && message.type === 'welcome') {
      result.welcome = message;
      status.textContent = 'connected as ' + message.kiosk;
      status.className = 'ok';
      details.textContent = 'origin ' + location.origin + '\\nprotocol ' + ws.protocol + '\\nsession ' + message.session;
      finish();
    }
  };
  ws.onerror = () => { result.events.push('error'); result.error = true; };
  ws.onclose = (event) => {
    result.events.push('close:' + event.code);
    result.closeCode = event.code;
    status.textContent = 'closed ' + event.code;
    status.className = 'bad';
    finish();
  };
});
</script>
</body>
</html>
`;
