#!/usr/bin/env node
'use strict';
// gRPC interop server (grpc.testing.TestService) on @grpc/grpc-js.
//
//   node interop_server.js --port N
//
// Binds 127.0.0.1:N (0 = pick a free port), prints 'LISTENING <port>' once it
// accepts calls, and serves until SIGTERM/SIGINT or until stdin closes.
// UnimplementedCall and UnimplementedService are deliberately not implemented,
// so grpc-js answers them with UNIMPLEMENTED.

const { grpc, load, runServer } = require('./common');
const { parseArgs } = require('util');

const testing = load(['grpc/testing/test.proto']).grpc.testing;

const ECHO_INITIAL = 'x-grpc-test-echo-initial';
const ECHO_TRAILING = 'x-grpc-test-echo-trailing-bin';

/** A COMPRESSABLE payload of `size` zero bytes. */
const payload = (size) => ({ type: 'COMPRESSABLE', body: Buffer.alloc(size) });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Echoes x-grpc-test-echo-initial now; returns the trailers carrying x-grpc-test-echo-trailing-bin. */
function echoMetadata(call) {
  const initial = call.metadata.get(ECHO_INITIAL);
  if (initial.length > 0) {
    const headers = new grpc.Metadata();
    initial.forEach((v) => headers.add(ECHO_INITIAL, v));
    call.sendMetadata(headers);
  }
  const trailers = new grpc.Metadata();
  call.metadata.get(ECHO_TRAILING).forEach((v) => trailers.add(ECHO_TRAILING, v));
  return trailers;
}

/** The error to end the call with when the request asks for a non-OK status, else null. */
function requestedError(echoStatus, trailers) {
  if (!echoStatus || !echoStatus.code) return null;
  return { code: echoStatus.code, details: echoStatus.message, metadata: trailers };
}

/** Writes the responses one StreamingOutputCallRequest asks for, honouring interval_us. */
async function writeResponses(call, request) {
  for (const params of request.response_parameters) {
    if (params.interval_us > 0) await sleep(params.interval_us / 1000);
    if (call.cancelled) return;
    call.write({ payload: payload(params.size) });
  }
}

/** Shared by FullDuplexCall and HalfDuplexCall: answers `requests` in order, then ends the call. */
async function answerAll(call, requests, trailers) {
  for (const request of requests) {
    await writeResponses(call, request);
    const err = requestedError(request.response_status, trailers);
    if (err) {
      call.emit('error', err); // ends the call with that status
      return false;
    }
  }
  return true;
}

const service = {
  EmptyCall(call, callback) {
    callback(null, {}, echoMetadata(call));
  },

  UnaryCall(call, callback) {
    const trailers = echoMetadata(call);
    const err = requestedError(call.request.response_status, trailers);
    if (err) return callback(err);
    callback(null, { payload: payload(call.request.response_size) }, trailers);
  },

  StreamingOutputCall(call) {
    const trailers = echoMetadata(call);
    answerAll(call, [call.request], trailers).then((ok) => { if (ok) call.end(trailers); });
  },

  StreamingInputCall(call, callback) {
    const trailers = echoMetadata(call);
    let total = 0;
    call.on('data', (req) => { total += req.payload ? req.payload.body.length : 0; });
    call.on('end', () => callback(null, { aggregated_payload_size: total }, trailers));
  },

  FullDuplexCall(call) {
    const trailers = echoMetadata(call);
    // Requests are answered one after the other, each as soon as it arrives (ping-pong).
    let chain = Promise.resolve(true);
    call.on('data', (request) => {
      chain = chain.then((ok) => ok && answerAll(call, [request], trailers));
    });
    call.on('end', () => {
      chain.then((ok) => { if (ok) call.end(trailers); });
    });
  },

  HalfDuplexCall(call) {
    const trailers = echoMetadata(call);
    const requests = [];
    call.on('data', (request) => requests.push(request));
    call.on('end', () => {
      answerAll(call, requests, trailers).then((ok) => { if (ok) call.end(trailers); });
    });
  },
  // UnimplementedCall is left out on purpose.
};

const { values } = parseArgs({ options: { port: { type: 'string' } } });
if (values.port === undefined || !/^\d+$/.test(values.port)) {
  console.error('usage: node interop_server.js --port N');
  process.exit(2);
}
runServer(Number(values.port), (server) => server.addService(testing.TestService.service, service));
