// The peer server's "reset all" command-line tool: what an operator of a
// ws-based server would run, the counterpart of `kioskgate reset-all`.
// node bench/peer-reset.mjs PORT
import http from 'node:http';

const request = http.request({ host: '127.0.0.1', port: Number(process.argv[2]), path: '/bench/reset', method: 'POST' },
  (res) => { res.resume(); res.on('end', () => process.exit(res.statusCode === 200 ? 0 : 1)); });
request.on('error', (e) => { console.error(e.message); process.exit(1); });
request.end();
