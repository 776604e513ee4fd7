#!/usr/bin/env node
'use strict';
// The benchmark's Node peer: @grpc/grpc-js as server and as client.
//
//   node bench_peer.js version
//   node bench_peer.js serve [--port 0]
//   node bench_peer.js client --target 127.0.0.1:PORT --scenario NAME [sizes]
//
// serve prints 'LISTENING <port>' and stops when stdin closes. client runs one scenario
// (unary, upload, server-stream, ping-pong) after a warm-up of --warmup-seconds and prints one line
// 'RESULT {json}' with ops, seconds, bytes, p50_us and p99_us, as the C# and Python
// clients do. The contract is ../../bench.proto, loaded at run time by proto-loader.

const path = require('path');
const { once } = require('events');
const { parseArgs } = require('util');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const PROTO = path.join(__dirname, '..', '..', 'bench.proto');
// Large enough for the 1 MiB upload chunks with room to spare (the default is 4 MiB).
const OPTIONS = {
  'grpc.max_receive_message_length': 16 * 1024 * 1024,
  'grpc.max_send_message_length': 16 * 1024 * 1024,
};

function loadService() {
  const definition = protoLoader.loadSync(PROTO, { keepCase: true, longs: Number, defaults: true });
  return grpc.loadPackageDefinition(definition).bench.BenchService;
}

// ---- server ------------------------------------------------------------------

function serve(port) {
  const BenchService = loadService();
  const server = new grpc.Server(OPTIONS);
  server.addService(BenchService.service, {
    Echo(call, callback) {
      callback(null, call.request);
    },
    Upload(call, callback) {
      let bytes = 0;
      let messages = 0;
      call.on('data', (chunk) => { bytes += chunk.data.length; messages += 1; });
      call.on('end', () => callback(null, { bytes, messages }));
    },
    Download(call) {
      const message = { data: Buffer.alloc(call.request.size) };
      let left = call.request.count;
      // Write until the stream asks us to wait, then resume on 'drain'.
      const pump = () => {
        while (left > 0) {
          left -= 1;
          if (!call.write(message)) {
            call.once('drain', pump);
            return;
          }
        }
        call.end();
      };
      pump();
    },
    PingPong(call) {
      call.on('data', (message) => call.write(message));
      call.on('end', () => call.end());
    },
  });
  const stop = () => {
    server.forceShutdown();
    process.exit(0);
  };
  // Serve until the parent closes our stdin (or goes away).
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
  process.stdin.on('data', () => {});
  process.stdin.resume();
  server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (err, bound) => {
    if (err) {
      console.error(`cannot bind 127.0.0.1:${port}: ${err.message}`);
      process.exit(2);
    }
    process.stdout.write(`LISTENING ${bound}\n`);
  });
}

// ---- client ------------------------------------------------------------------

const now = () => process.hrtime.bigint();

function percentile(sortedNs, fraction) {
  if (sortedNs.length === 0) return 0;
  const rank = Math.max(1, Math.ceil(fraction * sortedNs.length));
  return Number(sortedNs[Math.min(rank, sortedNs.length) - 1]) / 1000;
}

function echo(client, request) {
  return new Promise((resolve, reject) => {
    client.Echo(request, (err, response) => (err ? reject(err) : resolve(response)));
  });
}

async function runUnary(client, size, seconds) {
  const request = { data: Buffer.alloc(size) };
  const latencies = [];
  const start = now();
  const end = start + BigInt(Math.round(seconds * 1e9));
  let before = start;
  while (before < end) {
    await echo(client, request);
    const after = now();
    latencies.push(after - before);
    before = after;
  }
  return { ops: latencies.length, ns: before - start, bytes: latencies.length * size, latencies };
}

async function runUpload(client, total, chunk) {
  const message = { data: Buffer.alloc(chunk) };
  const count = Math.floor(total / chunk);
  const start = now();
  let call;
  const summary = new Promise((resolve, reject) => {
    call = client.Upload((err, response) => (err ? reject(err) : resolve(response)));
  });
  for (let i = 0; i < count; i++) {
    if (!call.write(message)) await once(call, 'drain');
  }
  call.end();
  const result = await summary;
  const ns = now() - start;
  if (result.bytes !== count * chunk) throw new Error(`server counted ${result.bytes} bytes, expected ${count * chunk}`);
  return { ops: count, ns, bytes: result.bytes, latencies: [] };
}

function runServerStream(client, count, size) {
  return new Promise((resolve, reject) => {
    const start = now();
    let received = 0;
    let bytes = 0;
    const call = client.Download({ count, size });
    call.on('data', (message) => { received += 1; bytes += message.data.length; });
    call.on('error', reject);
    call.on('end', () => {
      const ns = now() - start;
      if (received !== count) reject(new Error(`received ${received} messages, expected ${count}`));
      else resolve({ ops: received, ns, bytes, latencies: [] });
    });
  });
}

async function runPingPong(client, count, size) {
  const message = { data: Buffer.alloc(size) };
  const call = client.PingPong();
  let waiting = null;
  call.on('data', () => { const w = waiting; waiting = null; w.resolve(); });
  const ended = new Promise((resolve, reject) => { call.on('end', resolve); call.on('error', reject); });
  const latencies = [];
  const start = now();
  for (let i = 0; i < count; i++) {
    const before = now();
    const answered = new Promise((resolve, reject) => { waiting = { resolve, reject }; });
    call.write(message);
    await answered;
    latencies.push(now() - before);
  }
  const ns = now() - start;
  call.end();
  await ended;
  return { ops: count, ns, bytes: count * size, latencies };
}

async function client(options) {
  const BenchService = loadService();
  const client = new BenchService(options.target, grpc.credentials.createInsecure(), OPTIONS);
  await new Promise((resolve, reject) =>
    client.waitForReady(Date.now() + 30000, (err) => (err ? reject(err) : resolve())));
  const size = Number(options.size);
  const total = Number(options.total);
  const chunk = Number(options.chunk);
  const count = Number(options.count);
  // Each scenario with `warm` set to true runs a smaller piece of the same work.
  const runs = {
    unary: (warm) => runUnary(client, size, warm ? 0.25 : Number(options.seconds)),
    upload: (warm) => runUpload(client, warm ? Math.min(total, 64 << 20) : total, chunk),
    'server-stream': (warm) => runServerStream(client, warm ? Math.max(Math.floor(count / 10), 1) : count, size),
    'ping-pong': (warm) => runPingPong(client, warm ? Math.max(Math.floor(count / 10), 1) : count, size),
  };
  const run = runs[options.scenario];
  if (!run) throw new Error(`unknown scenario '${options.scenario}'`);
  // Warm up with the scenario itself for a while, as the other clients do.
  const warmUntil = now() + BigInt(Math.round(Number(options['warmup-seconds']) * 1e9));
  do {
    await run(true);
  } while (now() < warmUntil);
  const result = await run(false);
  client.close();
  const sorted = result.latencies.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  process.stdout.write('RESULT ' + JSON.stringify({
    ops: result.ops,
    seconds: Number(result.ns) / 1e9,
    bytes: result.bytes,
    p50_us: percentile(sorted, 0.5),
    p99_us: percentile(sorted, 0.99),
  }) + '\n');
}

function version() {
  const grpcJs = require('@grpc/grpc-js/package.json').version;
  process.stdout.write(`Node ${process.version}, @grpc/grpc-js ${grpcJs}\n`);
}

function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      port: { type: 'string', default: '0' },
      target: { type: 'string' },
      scenario: { type: 'string' },
      size: { type: 'string', default: '100' },
      seconds: { type: 'string', default: '3' },
      'warmup-seconds': { type: 'string', default: '2' },
      count: { type: 'string', default: '10000' },
      total: { type: 'string', default: String(1 << 30) },
      chunk: { type: 'string', default: String(1 << 20) },
    },
  });
  switch (positionals[0]) {
    case 'version':
      version();
      break;
    case 'serve':
      serve(Number(values.port));
      break;
    case 'client': {
      // A stuck call must not hang the benchmark: give up after ten minutes.
      setTimeout(() => { console.error('client watchdog fired'); process.exit(3); }, 600000).unref();
      client(values).catch((err) => {
        console.error(err && err.stack ? err.stack : String(err));
        process.exit(1);
      });
      break;
    }
    default:
      console.error('usage: node bench_peer.js version|serve|client [options]');
      process.exit(2);
  }
}

main();
