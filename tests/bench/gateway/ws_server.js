// ws_server.js PORT - the reference Node.js broadcast server for tests/bench/gateway/run.sh:
// an http server, a `ws` WebSocketServer on it, every message sent to every open client.
'use strict';
const http = require('http');
const { WebSocketServer, WebSocket } = require('ws');

const port = Number(process.argv[2] || 8090);
const server = http.createServer((req, res) => { res.writeHead(404); res.end(); });
const wss = new WebSocketServer({ server, path: '/ws' });

wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => {
    for (const client of wss.clients) {
      if (client.readyState === WebSocket.OPEN) client.send(data, { binary: isBinary });
    }
  });
});

server.listen(port, '127.0.0.1', () => console.log(`ws broadcast server on ${port}`));
