'use strict';
// Helpers shared by the Node peers: proto loading, server lifecycle, and a small
// promise-based reader for streaming calls.

const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

// The workbook's own contracts are read from the repository's protos/ folder, not copied.
const WORKBOOK_PROTOS = path.join(__dirname, '..', '..', '..', '..', 'protos');

// Above the 4 MiB default, so a size limit is never what fails a workbook case.
const MAX_MESSAGE = 16 * 1024 * 1024;
const CHANNEL_OPTIONS = {
  'grpc.max_receive_message_length': MAX_MESSAGE,
  'grpc.max_send_message_length': MAX_MESSAGE,
};

// One set of loader options for every peer: field names exactly as in the .proto
// files (snake_case), int64 as JS numbers, enums as their names, bytes as Buffers.
const LOADER_OPTIONS = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [WORKBOOK_PROTOS],
};

/** Loads .proto files (paths relative to the repository's protos/) and returns the package tree. */
function load(files) {
  return grpc.loadPackageDefinition(protoLoader.loadSync(files, LOADER_OPTIONS));
}

/**
 * Binds 127.0.0.1:port (0 = any free port), lets `register` add services, prints
 * 'LISTENING <port>' and serves until SIGTERM/SIGINT or until stdin closes.
 */
function runServer(port, register) {
  const server = new grpc.Server(CHANNEL_OPTIONS);
  register(server);
  const stop = () => {
    server.forceShutdown();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // EOF on stdin means the parent closed it or went away.
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

/**
 * Wraps a client call that receives a stream. next() resolves with
 * {value} or {done: true}; finished() resolves with the final status once the
 * call is over (for OK only after every message has been read).
 */
class StreamReader {
  constructor(call) {
    this.initial = null;   // response headers (grpc.Metadata), once received
    this.status = null;    // final status, once received
    this._items = [];
    this._waiters = [];
    this._ended = false;
    this._finishWaiters = [];
    call.on('metadata', (md) => { this.initial = md; });
    call.on('data', (value) => this._offer({ value }));
    call.on('end', () => { this._ended = true; this._offer({ done: true }); this._checkFinished(); });
    call.on('error', () => {}); // the 'status' event carries the outcome
    call.on('status', (status) => {
      this.status = status;
      if (status.code !== grpc.status.OK) this._offer({ done: true });
      this._checkFinished();
    });
  }

  _offer(item) {
    const waiter = this._waiters.shift();
    if (waiter) waiter(item); else this._items.push(item);
  }

  next() {
    const item = this._items.shift();
    if (item) {
      if (item.done) this._items.unshift(item); // stay done
      return Promise.resolve(item);
    }
    return new Promise((resolve) => this._waiters.push(resolve));
  }

  _checkFinished() {
    if (this.status && (this._ended || this.status.code !== grpc.status.OK)) {
      this._finishWaiters.splice(0).forEach((resolve) => resolve(this.status));
    }
  }

  finished() {
    return new Promise((resolve) => { this._finishWaiters.push(resolve); this._checkFinished(); });
  }
}

module.exports = { grpc, load, runServer, StreamReader, CHANNEL_OPTIONS, WORKBOOK_PROTOS };
