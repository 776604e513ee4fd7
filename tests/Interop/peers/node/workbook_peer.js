#!/usr/bin/env node
'use strict';
// Workbook contract peer (uploader / numbers / chat protos) on @grpc/grpc-js.
//
//   node workbook_peer.js serve --port N
//   node workbook_peer.js client [--server_host 127.0.0.1] --server_port N --case upload|sum|chat
//
// serve: implements uploader.UploaderService/UploadImage, tutorial.NumberService/SumNumbers
// and chat.ChatService/JoinChat; prints 'LISTENING <port>'; stops on SIGTERM/SIGINT or
// when stdin closes. client: runs one case, prints 'PASS <case>' (exit 0) or
// 'FAIL <case>: <reason>' (exit 1).

const crypto = require('crypto');
const { parseArgs } = require('util');
const { grpc, load, runServer, StreamReader, CHANNEL_OPTIONS } = require('./common');

const pkgs = load(['uploader.proto', 'numbers.proto', 'chat.proto']);
const { UploaderService } = pkgs.uploader;
const { NumberService } = pkgs.tutorial;
const { ChatService } = pkgs.chat;

const CALL_TIMEOUT_MS = 10000; // per RPC (the upload case asks for 10 s)
const WATCHDOG_MS = 30000;     // whole client process
const HEADER_GRACE_MS = 2000;  // how long a chat client waits for each member's response headers

// ---- server ------------------------------------------------------------------

function serve(port) {
  // Chat members currently joined. A server call's own write buffer is that
  // member's outgoing queue.
  const members = new Set();

  const uploader = {
    UploadImage(call, callback) {
      let chunks = 0;
      let bytes = 0;
      call.on('data', (chunk) => { chunks += 1; bytes += chunk.data.length; });
      call.on('end', () => callback(null, { total_chunks: chunks, total_bytes: bytes }));
    },
    // UploadFile is not part of the interop contract: left UNIMPLEMENTED.
  };

  const numbers = {
    SumNumbers(call, callback) {
      let sum = 0;
      call.on('data', (req) => { sum += req.num; });
      call.on('end', () => callback(null, { sum }));
    },
  };

  const chat = {
    // Every message goes to every member joined at that moment (its sender included);
    // a member's call ends when it half-closes.
    JoinChat(call) {
      members.add(call);
      call.sendMetadata(new grpc.Metadata()); // headers right away: "you are in the room"
      const leave = () => members.delete(call);
      call.on('data', (msg) => {
        const stamped = { user_id: msg.user_id, text: msg.text, timestamp: Math.floor(Date.now() / 1000) };
        for (const member of members) member.write(stamped);
      });
      call.on('end', () => { leave(); call.end(); });
      call.on('cancelled', leave);
      call.on('error', leave);
    },
  };

  runServer(port, (server) => {
    server.addService(UploaderService.service, uploader);
    server.addService(NumberService.service, numbers);
    server.addService(ChatService.service, chat);
  });
}

// ---- client ------------------------------------------------------------------

class CaseFailed extends Error {}

function check(condition, reason) {
  if (!condition) throw new CaseFailed(reason);
}

const deadline = () => Date.now() + CALL_TIMEOUT_MS;
const statusName = (code) => Object.keys(grpc.status).find((k) => grpc.status[k] === code) || String(code);

/** Client-streaming call: writes `requests`, half-closes, resolves with the response. */
function clientStream(client, method, requests) {
  return new Promise((resolve, reject) => {
    const call = client[method]({ deadline: deadline() }, (err, value) => (err ? reject(err) : resolve(value)));
    requests.forEach((r) => call.write(r));
    call.end();
  });
}

const NOTICE_TEXT = { KIND_JOINED: 'has joined the chat', KIND_LEFT: 'has left the chat' };

/** A join/leave notice, as a server that names its members sends them. */
function checkNotice(who, msg) {
  check(msg.kind in NOTICE_TEXT, `${who}: message of unknown kind ${msg.kind}: "${msg.text}"`);
  check(msg.text === NOTICE_TEXT[msg.kind], `${who}: notice text "${msg.text}", want "${NOTICE_TEXT[msg.kind]}"`);
  check(msg.user_id, `${who}: notice "${msg.text}" names nobody`);
  check(msg.timestamp > 0, `${who}: notice "${msg.text}" has timestamp ${msg.timestamp}`);
}

/** The next member's line on a chat call, after any notices (checked); { done: true } once the call is over. */
async function nextLine(reader, who) {
  for (;;) {
    const item = await reader.next();
    if (item.done || item.value.kind === 'KIND_MESSAGE') return item;
    checkNotice(who, item.value);
  }
}

const cases = {
  async upload(target) {
    const client = new UploaderService(target, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
    const chunks = Array.from({ length: 5 }, () => ({ data: crypto.randomBytes(1024) }));
    const summary = await clientStream(client, 'UploadImage', chunks);
    check(summary.total_chunks === 5, `total_chunks ${summary.total_chunks}, want 5`);
    check(summary.total_bytes === 5120, `total_bytes ${summary.total_bytes}, want 5120`);
  },

  async sum(target) {
    const client = new NumberService(target, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
    const reply = await clientStream(client, 'SumNumbers', Array.from({ length: 10 }, (_, i) => ({ num: i + 1 })));
    check(reply.sum === 55, `sum ${reply.sum}, want 55`);
  },

  async chat(target) {
    const client = new ChatService(target, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
    const names = ['alice', 'bob'];
    const members = names.map((name) => {
      const call = client.JoinChat({ deadline: deadline() });
      const headers = new Promise((resolve) => call.on('metadata', resolve));
      return { name, call, headers, reader: new StreamReader(call) };
    });
    // Wait (bounded) for each member's response headers: our servers send them on join,
    // so both members are in the room before anyone speaks. A server that sends no early
    // headers just costs the grace period.
    const grace = new Promise((resolve) => setTimeout(resolve, HEADER_GRACE_MS));
    await Promise.race([Promise.all(members.map((m) => m.headers)), grace]);

    const texts = names.map((n) => `hello from ${n}`);
    members.forEach((m) => m.call.write({ user_id: m.name, text: `hello from ${m.name}` }));
    // Who wrote each line, as each member saw it. A server may keep the user_id the client
    // sent or name its members itself ("Client(2)"), so the names are not checked against
    // ours: every member must see the same author for a line, and the two authors differ.
    const authors = {};
    for (const m of members) {
      const got = {};
      for (let i = 0; i < names.length; i += 1) {
        const item = await nextLine(m.reader, m.name);
        check(!item.done, `${m.name}: stream ended after ${Object.keys(got).length} messages` +
          (m.reader.status ? ` (${statusName(m.reader.status.code)})` : ''));
        check(item.value.timestamp > 0, `${m.name}: message "${item.value.text}" has timestamp ${item.value.timestamp}`);
        check(item.value.user_id, `${m.name}: message "${item.value.text}" has no user_id`);
        got[item.value.text] = item.value.user_id;
      }
      check(JSON.stringify(Object.keys(got).sort()) === JSON.stringify([...texts].sort()),
        `${m.name} received ${JSON.stringify(Object.keys(got).sort())}, want ${JSON.stringify([...texts].sort())}`);
      authors[m.name] = got;
    }
    const seen = (name) => JSON.stringify(texts.map((t) => authors[name][t]));
    check(seen('alice') === seen('bob'), `alice and bob disagree on who wrote what: ${JSON.stringify(authors)}`);
    check(new Set(Object.values(authors.alice)).size === 2, `both lines have the same author: ${JSON.stringify(authors.alice)}`);
    members.forEach((m) => m.call.end());
    for (const m of members) {
      // After the half-close only notices may come (the other member leaving), no lines.
      const item = await nextLine(m.reader, m.name);
      check(item.done, `${m.name}: unexpected line "${item.done ? '' : item.value.text}" after leaving`);
      const status = await m.reader.finished();
      check(status.code === grpc.status.OK, `${m.name}: status ${statusName(status.code)} (${status.details}), want OK`);
    }
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

async function runClient(host, port, name) {
  if (!cases[name]) finish(name, `unknown case (known: ${Object.keys(cases).join(', ')})`);
  setTimeout(() => finish(name, `watchdog: case took over ${WATCHDOG_MS / 1000}s`), WATCHDOG_MS);
  let error = null;
  try {
    await cases[name](`${host}:${port}`);
  } catch (err) {
    if (err instanceof CaseFailed) error = err.message;
    else if (err && typeof err.code === 'number') error = `unexpected status ${statusName(err.code)}: ${JSON.stringify(err.details)}`;
    else error = `${(err && err.name) || 'Error'}: ${(err && err.message) || err}`;
  }
  finish(name, error); // process.exit also drops the channels
}

function usage() {
  console.error('usage: node workbook_peer.js serve --port N\n' +
    '       node workbook_peer.js client [--server_host H] --server_port N --case upload|sum|chat');
  process.exit(2);
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === 'serve') {
  const { values } = parseArgs({ args: rest, options: { port: { type: 'string' } } });
  if (!/^\d+$/.test(values.port || '')) usage();
  serve(Number(values.port));
} else if (mode === 'client') {
  const { values } = parseArgs({
    args: rest,
    options: {
      server_host: { type: 'string', default: '127.0.0.1' },
      server_port: { type: 'string' },
      case: { type: 'string' },
    },
  });
  if (!/^\d+$/.test(values.server_port || '') || !values.case) usage();
  runClient(values.server_host, Number(values.server_port), values.case);
} else {
  usage();
}
