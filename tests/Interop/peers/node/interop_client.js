#!/usr/bin/env node
'use strict';
// gRPC interop client (grpc.testing.TestService) on @grpc/grpc-js.
//
//   node interop_client.js --server_host 127.0.0.1 --server_port N --test_case NAME
//
// Runs one case of the official interop test descriptions. On success it prints
// 'PASS NAME' and exits 0; otherwise it prints 'FAIL NAME: <reason>' and exits 1.
// Every call has a 20 s deadline and a watchdog ends the process after 30 s.

const { grpc, load, StreamReader, CHANNEL_OPTIONS } = require('./common');
const { parseArgs } = require('util');

const testing = load(['grpc/testing/test.proto']).grpc.testing;

const CALL_TIMEOUT_MS = 20000;
const WATCHDOG_MS = 30000;
const S = grpc.status;

const ECHO_INITIAL = ['x-grpc-test-echo-initial', 'test_initial_metadata_value'];
const ECHO_TRAILING = ['x-grpc-test-echo-trailing-bin', Buffer.from([0xab, 0xab, 0xab])];
const SPECIAL_MESSAGE = '\t\ntest with whitespace\r\nand Unicode BMP \u263a and non-BMP \u{1f608}\t\n';

class CaseFailed extends Error {}

function check(condition, reason) {
  if (!condition) throw new CaseFailed(reason);
}

const deadline = () => Date.now() + CALL_TIMEOUT_MS;
const payload = (size) => ({ type: 'COMPRESSABLE', body: Buffer.alloc(size) });
const statusName = (code) => Object.keys(S).find((k) => S[k] === code) || String(code);

function checkPayload(p, size, what = 'response') {
  check(p, `${what} has no payload`);
  check(p.type === 'COMPRESSABLE', `${what} payload type ${p.type}, want COMPRESSABLE`);
  check(p.body.length === size, `${what} payload is ${p.body.length} bytes, want ${size}`);
  check(p.body.equals(Buffer.alloc(size)), `${what} payload is not all zeros`);
}

function duplexRequest(responseSize, payloadSize, status) {
  const req = { response_type: 'COMPRESSABLE', response_parameters: [], payload: payload(payloadSize) };
  if (responseSize !== null) req.response_parameters.push({ size: responseSize });
  if (status) req.response_status = status;
  return req;
}

function checkStatus(status, code, message) {
  check(status.code === code,
    `status ${statusName(status.code)} (${JSON.stringify(status.details)}), want ${statusName(code)}`);
  if (message !== undefined) {
    check(status.details === message,
      `status message ${JSON.stringify(status.details)}, want ${JSON.stringify(message)}`);
  }
}

/** A unary call as a promise of {response, initial, trailing}; rejects with the grpc error. */
function unary(client, method, request, metadata = new grpc.Metadata(), options = { deadline: deadline() }) {
  return new Promise((resolve, reject) => {
    let response;
    let initial = null;
    const call = client[method](request, metadata, options, (err, value) => {
      if (err) reject(err); else response = value;
    });
    call.on('metadata', (md) => { initial = md; });
    call.on('status', (status) => {
      if (status.code === S.OK) resolve({ response, initial, trailing: status.metadata });
    });
  });
}

/** Awaits `promise`, which must reject with `code` (and `message`, if given). */
async function expectError(promise, code, message) {
  try {
    await promise;
  } catch (err) {
    if (err instanceof CaseFailed) throw err;
    checkStatus(err, code, message);
    return;
  }
  throw new CaseFailed(`call succeeded, want ${statusName(code)}`);
}

function checkEchoed(initial, trailing) {
  const init = initial ? initial.get(ECHO_INITIAL[0]) : [];
  const trail = trailing ? trailing.get(ECHO_TRAILING[0]) : [];
  check(init.length === 1 && init[0] === ECHO_INITIAL[1],
    `initial metadata ${ECHO_INITIAL[0]} = ${JSON.stringify(init)}, want ["${ECHO_INITIAL[1]}"]`);
  check(trail.length === 1 && Buffer.isBuffer(trail[0]) && trail[0].equals(ECHO_TRAILING[1]),
    `trailing metadata ${ECHO_TRAILING[0]} = ${JSON.stringify(trail)}, want [0xababab]`);
}

/** Reads every remaining message and the final status of a streaming call. */
async function drain(reader) {
  const rest = [];
  for (let item = await reader.next(); !item.done; item = await reader.next()) rest.push(item.value);
  return { rest, status: await reader.finished() };
}

const largeUnaryRequest = () => ({ response_type: 'COMPRESSABLE', response_size: 314159, payload: payload(271828) });

// ---- the cases -------------------------------------------------------------

const cases = {
  async empty_unary(client) {
    const { response } = await unary(client, 'EmptyCall', {});
    check(response && Object.keys(response).length === 0, 'response is not empty');
  },

  async large_unary(client) {
    const { response } = await unary(client, 'UnaryCall', largeUnaryRequest());
    checkPayload(response.payload, 314159);
  },

  async client_streaming(client) {
    const response = await new Promise((resolve, reject) => {
      const call = client.StreamingInputCall({ deadline: deadline() }, (err, value) => (err ? reject(err) : resolve(value)));
      for (const n of [27182, 8, 1828, 45904]) call.write({ payload: payload(n) });
      call.end();
    });
    check(response.aggregated_payload_size === 74922,
      `aggregated_payload_size ${response.aggregated_payload_size}, want 74922`);
  },

  async server_streaming(client) {
    const sizes = [31415, 9, 2653, 58979];
    const call = client.StreamingOutputCall(
      { response_type: 'COMPRESSABLE', response_parameters: sizes.map((size) => ({ size })) },
      { deadline: deadline() });
    const { rest, status } = await drain(new StreamReader(call));
    checkStatus(status, S.OK);
    check(rest.length === sizes.length, `got ${rest.length} responses, want ${sizes.length}`);
    rest.forEach((r, i) => checkPayload(r.payload, sizes[i], `response #${i + 1}`));
  },

  async ping_pong(client) {
    const pairs = [[31415, 27182], [9, 8], [2653, 1828], [58979, 45904]]; // [response size, request payload]
    const call = client.FullDuplexCall({ deadline: deadline() });
    const reader = new StreamReader(call);
    for (const [i, [respSize, reqSize]] of pairs.entries()) {
      call.write(duplexRequest(respSize, reqSize));
      const item = await reader.next();
      check(!item.done, `stream ended before response #${i + 1}` +
        (reader.status ? ` (${statusName(reader.status.code)}: ${reader.status.details})` : ''));
      checkPayload(item.value.payload, respSize, `response #${i + 1}`);
    }
    call.end();
    const { rest, status } = await drain(reader);
    check(rest.length === 0, `${rest.length} unexpected extra responses`);
    checkStatus(status, S.OK);
  },

  async empty_stream(client) {
    const call = client.FullDuplexCall({ deadline: deadline() });
    const reader = new StreamReader(call);
    call.end();
    const { rest, status } = await drain(reader);
    check(rest.length === 0, `got ${rest.length} responses, want 0`);
    checkStatus(status, S.OK);
  },

  async custom_metadata(client) {
    const metadata = () => {
      const md = new grpc.Metadata();
      md.set(...ECHO_INITIAL);
      md.set(...ECHO_TRAILING);
      return md;
    };
    // UnaryCall
    const { response, initial, trailing } = await unary(client, 'UnaryCall', largeUnaryRequest(), metadata());
    checkPayload(response.payload, 314159);
    checkEchoed(initial, trailing);
    // FullDuplexCall
    const call = client.FullDuplexCall(metadata(), { deadline: deadline() });
    const reader = new StreamReader(call);
    call.write(duplexRequest(314159, 271828));
    const item = await reader.next();
    check(!item.done, 'full duplex: no response');
    checkPayload(item.value.payload, 314159);
    call.end();
    const { rest, status } = await drain(reader);
    check(rest.length === 0, `full duplex: ${rest.length} unexpected extra responses`);
    checkStatus(status, S.OK);
    checkEchoed(reader.initial, status.metadata);
  },

  async status_code_and_message(client) {
    const echo = { code: 2, message: 'test status message' };
    await expectError(unary(client, 'UnaryCall', { response_status: echo }), S.UNKNOWN, echo.message);
    const call = client.FullDuplexCall({ deadline: deadline() });
    const reader = new StreamReader(call);
    call.write(duplexRequest(null, 0, echo));
    call.end();
    const { status } = await drain(reader);
    checkStatus(status, S.UNKNOWN, echo.message);
  },

  async special_status_message(client) {
    const echo = { code: 2, message: SPECIAL_MESSAGE };
    await expectError(unary(client, 'UnaryCall', { response_status: echo }), S.UNKNOWN, SPECIAL_MESSAGE);
  },

  async unimplemented_method(client) {
    await expectError(unary(client, 'UnimplementedCall', {}), S.UNIMPLEMENTED);
  },

  async unimplemented_service(client, target) {
    const other = new testing.UnimplementedService(target, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
    try {
      await expectError(unary(other, 'UnimplementedCall', {}), S.UNIMPLEMENTED);
    } finally {
      other.close();
    }
  },

  async cancel_after_begin(client) {
    const done = new Promise((resolve) => {
      const call = client.StreamingInputCall({ deadline: deadline() }, (err) => resolve(err));
      call.cancel(); // before any message is sent
    });
    const err = await done;
    check(err, 'call succeeded, want CANCELLED');
    checkStatus(err, S.CANCELLED);
  },

  async cancel_after_first_response(client) {
    const call = client.FullDuplexCall({ deadline: deadline() });
    const reader = new StreamReader(call);
    call.write(duplexRequest(31415, 27182));
    const item = await reader.next();
    check(!item.done, 'no first response');
    checkPayload(item.value.payload, 31415);
    call.cancel();
    checkStatus(await reader.finished(), S.CANCELLED);
  },

  async timeout_on_sleeping_server(client) {
    const call = client.FullDuplexCall({ deadline: Date.now() + 1 });
    const reader = new StreamReader(call);
    call.write(duplexRequest(null, 27182)); // may already be too late; only the status matters
    checkStatus(await reader.finished(), S.DEADLINE_EXCEEDED);
  },
};

function finish(name, error) {
  if (error === null) {
    process.stdout.write(`PASS ${name}\n`);
    process.exit(0);
  }
  process.stdout.write(`FAIL ${name}: ${String(error).replace(/\n/g, ' ')}\n`);
  process.exit(1);
}

async function main() {
  const { values } = parseArgs({
    options: {
      server_host: { type: 'string', default: '127.0.0.1' },
      server_port: { type: 'string' },
      test_case: { type: 'string' },
    },
  });
  const name = values.test_case;
  if (!name || !/^\d+$/.test(values.server_port || '')) {
    console.error('usage: node interop_client.js --server_host H --server_port N --test_case NAME');
    process.exit(2);
  }
  if (!cases[name]) finish(name, `unknown test case (known: ${Object.keys(cases).join(', ')})`);
  setTimeout(() => finish(name, `watchdog: case took over ${WATCHDOG_MS / 1000}s`), WATCHDOG_MS);

  const target = `${values.server_host}:${values.server_port}`;
  const client = new testing.TestService(target, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
  let error = null;
  try {
    await cases[name](client, target);
  } catch (err) {
    if (err instanceof CaseFailed) error = err.message;
    else if (err && typeof err.code === 'number') error = `unexpected status ${statusName(err.code)}: ${JSON.stringify(err.details)}`;
    else error = `${(err && err.name) || 'Error'}: ${(err && err.message) || err}`;
  }
  client.close();
  finish(name, error);
}

main();
