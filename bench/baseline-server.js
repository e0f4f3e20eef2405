// The bench's yardstick: a bare node:http server that answers every GET with bytes held in memory,
// so the gap to fastpva is what the framework, auth and database cost on this machine right now.
// Usage: node bench/baseline-server.js <body0> [<body1> ...]; `?b=<i>` in the URL picks body i.
// Prints {"url":...} on stdout once listening, as `fastpva serve --json` does.
import http from 'node:http';

const bodies = process.argv.slice(2).map((body) => Buffer.from(body));
if (bodies.length === 0) {
  console.error('usage: baseline-server.js <body> [<body> ...]');
  process.exit(2);
}

// Same headers as fastify sends for these replies, so both sides move about the same bytes.
const server = http.createServer((request, response) => {
  const pick = /[?&]b=(\d+)/.exec(request.url ?? '');
  const body = bodies[pick ? Number(pick[1]) : 0] ?? bodies[0];
  response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
  response.end(body);
});
server.keepAliveTimeout = 72_000; // keep-alive on: the load generator reuses its connections

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  console.log(JSON.stringify({ url: `http://127.0.0.1:${port}` }));
});

const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
