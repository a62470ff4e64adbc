// The HTTP floor of the claim bench (test/bench/claim.ts): a server that does nothing but answer. It takes any
// POST, reads and parses its JSON body as every server must, and sends back one recorded answer of the real
// claim route, the same status, headers and bytes. Driven by the same load client at the same concurrency as
// ours, it shows what this machine's HTTP layer alone allows: the throughput no HTTP claim can pass, and the
// p99 no HTTP claim can go below.
//
//   node --import tsx test/bench/floor/server.ts node|fastify   (the answer as JSON in FLOOR_ANSWER)
//
// `node`: Node's http module and nothing else. `fastify`: the HTTP framework under our server (Nest's Fastify
// adapter), with a route of its own and no plugins, logger or hooks.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';

interface RecordedAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const kind = process.argv[2];
const answer = JSON.parse(process.env.FLOOR_ANSWER ?? 'null') as RecordedAnswer | null;
if ((kind !== 'node' && kind !== 'fastify') || !answer) {
  process.stderr.write('usage: FLOOR_ANSWER=<json> node --import tsx test/bench/floor/server.ts node|fastify\n');
  process.exit(2);
}
const body = Buffer.from(answer.body, 'utf8');
const headers = { ...answer.headers, 'content-length': String(body.length) };

const listening = (port: number) => process.stdout.write(`FLOOR_LISTENING http://127.0.0.1:${port}\n`);

if (kind === 'node') {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      try {
        JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        response.writeHead(400).end();
        return;
      }
      response.writeHead(answer.status, headers).end(body);
    });
  });
  // Fastify's keep-alive timeout (72 s), not Node's 5 s: the load's connections wait idle between the rounds' phases.
  server.keepAliveTimeout = 72_000;
  server.listen(0, '127.0.0.1', () => listening((server.address() as AddressInfo).port));
} else {
  const fastify = Fastify({ logger: false });
  // Fastify's own JSON parser runs on the body before the handler, as on the claim route.
  fastify.post('/*', (_request, reply) => reply.code(answer.status).headers(headers).send(body));
  void fastify.listen({ port: 0, host: '127.0.0.1' }).then(() => listening((fastify.server.address() as AddressInfo).port));
}
