#!/usr/bin/python3
"""Workbook contract peer (uploader / numbers / chat protos) on Debian's grpcio.

    /usr/bin/python3 workbook_peer.py serve --port N
    /usr/bin/python3 workbook_peer.py client [--server_host 127.0.0.1] --server_port N --case upload|sum|chat|room

serve: implements uploader.UploaderService/UploadImage, tutorial.NumberService/SumNumbers
and chat.ChatService/JoinChat; prints 'LISTENING <port>'; stops on SIGTERM/SIGINT or
when stdin closes. client: runs one case, prints 'PASS <case>' (exit 0) or
'FAIL <case>: <reason>' (exit 1).

room is one member of a room that names its members (the workbook's chapter 5 server) and
already has one other member in it: it says ROOM_HELLO, waits for that member's ROOM_REPLY
and its leave notice, then leaves, and prints 'ROOM me=<its name> other=<the other's name>'.
"""
import argparse
import os
import queue
import sys
import threading
import time

import gen

gen.ensure()

import grpc  # noqa: E402
from workbook_pb import chat_pb2, chat_pb2_grpc  # noqa: E402
from workbook_pb import numbers_pb2, numbers_pb2_grpc  # noqa: E402
from workbook_pb import uploader_pb2, uploader_pb2_grpc  # noqa: E402

import common  # noqa: E402

CALL_TIMEOUT = 10.0   # seconds, per RPC (the upload case asks for 10 s)
WATCHDOG = 30.0       # seconds, whole client process
HEADER_GRACE = 2.0    # seconds a chat client waits for each member's response headers


# ---- server ------------------------------------------------------------------

class Uploader(uploader_pb2_grpc.UploaderServiceServicer):
    def UploadImage(self, request_iterator, context):
        chunks = size = 0
        for chunk in request_iterator:
            chunks += 1
            size += len(chunk.data)
        return uploader_pb2.UploadSummary(total_chunks=chunks, total_bytes=size)
    # UploadFile is not part of the interop contract: left UNIMPLEMENTED.


class Numbers(numbers_pb2_grpc.NumberServiceServicer):
    def SumNumbers(self, request_iterator, context):
        return numbers_pb2.NumberResponse(sum=sum(r.num for r in request_iterator))


class ChatRoom(chat_pb2_grpc.ChatServiceServicer):
    """Every message goes to every member joined at that moment (its sender included).
    Each member has its own outbox queue; a member's call ends when it half-closes."""

    def __init__(self):
        self._lock = threading.Lock()
        self._members = set()

    def _broadcast(self, message):
        with self._lock:  # one lock: every member sees the same order
            for outbox in self._members:
                outbox.put(message)

    def JoinChat(self, request_iterator, context):
        outbox = queue.Queue()
        with self._lock:
            self._members.add(outbox)
        # Headers right away tell the client it is now a member.
        context.send_initial_metadata(())

        def leave():
            with self._lock:
                self._members.discard(outbox)
            outbox.put(None)

        def read_incoming():
            try:
                for msg in request_iterator:
                    self._broadcast(chat_pb2.ChatMessage(
                        user_id=msg.user_id, text=msg.text, timestamp=int(time.time())))
            except Exception:  # the call was cancelled or broke: just leave
                pass
            finally:
                leave()

        context.add_callback(leave)  # also unblocks us if the call is cancelled
        threading.Thread(target=read_incoming, daemon=True).start()
        while True:
            message = outbox.get()
            if message is None:
                return
            yield message


def serve(port):
    def register(server):
        uploader_pb2_grpc.add_UploaderServiceServicer_to_server(Uploader(), server)
        numbers_pb2_grpc.add_NumberServiceServicer_to_server(Numbers(), server)
        chat_pb2_grpc.add_ChatServiceServicer_to_server(ChatRoom(), server)
    common.run_server(port, register)


# ---- client ------------------------------------------------------------------

class CaseFailed(Exception):
    pass


def check(condition, reason):
    if not condition:
        raise CaseFailed(reason)


class Pusher:
    """A request stream fed one message at a time; close() half-closes it."""

    def __init__(self):
        self._q = queue.Queue()

    def push(self, message):
        self._q.put(message)

    def close(self):
        self._q.put(None)

    def __iter__(self):
        while True:
            item = self._q.get()
            if item is None:
                return
            yield item


def case_upload(channel):
    stub = uploader_pb2_grpc.UploaderServiceStub(channel)
    chunks = [uploader_pb2.ImageChunk(data=os.urandom(1024)) for _ in range(5)]
    summary = stub.UploadImage(iter(chunks), timeout=CALL_TIMEOUT)
    check(summary.total_chunks == 5, "total_chunks %d, want 5" % summary.total_chunks)
    check(summary.total_bytes == 5120, "total_bytes %d, want 5120" % summary.total_bytes)


def case_sum(channel):
    stub = numbers_pb2_grpc.NumberServiceStub(channel)
    reply = stub.SumNumbers((numbers_pb2.NumberRequest(num=n) for n in range(1, 11)), timeout=CALL_TIMEOUT)
    check(reply.sum == 55, "sum %d, want 55" % reply.sum)


KIND_MESSAGE = chat_pb2.ChatMessage.KIND_MESSAGE
KIND_JOINED = chat_pb2.ChatMessage.KIND_JOINED
KIND_LEFT = chat_pb2.ChatMessage.KIND_LEFT
NOTICE_TEXT = {KIND_JOINED: "has joined the chat", KIND_LEFT: "has left the chat"}
ROOM_HELLO = "hello from python"
ROOM_REPLY = "hello from csharp"


def check_notice(who, msg):
    """A join/leave notice, as a server that names its members sends them."""
    check(msg.kind in NOTICE_TEXT, "%s: message of unknown kind %d: %r" % (who, msg.kind, msg.text))
    check(msg.text == NOTICE_TEXT[msg.kind], "%s: notice text %r, want %r" % (who, msg.text, NOTICE_TEXT[msg.kind]))
    check(msg.user_id, "%s: notice %r names nobody" % (who, msg.text))
    check(msg.timestamp > 0, "%s: notice %r has timestamp %d" % (who, msg.text, msg.timestamp))


def next_line(call, who):
    """The next member's line on a chat call, after any notices (checked); None once the call is over."""
    while True:
        msg = next(call, None)
        if msg is None or msg.kind == KIND_MESSAGE:
            return msg
        check_notice(who, msg)


def case_chat(channel):
    stub = chat_pb2_grpc.ChatServiceStub(channel)
    names = ("alice", "bob")
    outgoing = {n: Pusher() for n in names}
    calls = {n: stub.JoinChat(iter(outgoing[n]), timeout=CALL_TIMEOUT) for n in names}
    try:
        # Wait (bounded) for each member's response headers: our servers send them on join,
        # so both members are in the room before anyone speaks. A server that sends no
        # early headers just costs the grace period.
        waiters = [threading.Thread(target=c.initial_metadata, daemon=True) for c in calls.values()]
        for w in waiters:
            w.start()
        end = time.monotonic() + HEADER_GRACE
        for w in waiters:
            w.join(max(0.0, end - time.monotonic()))

        texts = {n: "hello from %s" % n for n in names}
        for n in names:
            outgoing[n].push(chat_pb2.ChatMessage(user_id=n, text=texts[n]))
        # Who wrote each line, as each member saw it. A server may keep the user_id the client
        # sent or name its members itself ("Client(2)"), so the names are not checked against
        # ours: every member must see the same author for a line, and the two authors differ.
        authors = {}
        for n in names:
            got = {}
            for _ in range(len(names)):
                msg = next_line(calls[n], n)
                if msg is None:  # the call is over, so code() no longer blocks
                    raise CaseFailed("%s: stream ended after %d messages (%s)" % (n, len(got), calls[n].code()))
                check(msg.timestamp > 0, "%s: message %r has timestamp %d" % (n, msg.text, msg.timestamp))
                check(msg.user_id, "%s: message %r has no user_id" % (n, msg.text))
                got[msg.text] = msg.user_id
            check(set(got) == set(texts.values()), "%s received %r, want %r" % (n, sorted(got), sorted(texts.values())))
            authors[n] = got
        check(authors["alice"] == authors["bob"], "alice and bob disagree on who wrote what: %r" % authors)
        check(len(set(authors["alice"].values())) == 2, "both lines have the same author: %r" % authors["alice"])
    finally:
        for n in names:
            outgoing[n].close()
    for n in names:
        # After the half-close only notices may come (the other member leaving), no lines.
        rest = next_line(calls[n], n)
        check(rest is None, "%s: unexpected line %r after leaving" % (n, rest and rest.text))
        check(calls[n].code() == grpc.StatusCode.OK, "%s: status %s, want OK" % (n, calls[n].code()))


def case_room(channel):
    stub = chat_pb2_grpc.ChatServiceStub(channel)
    outgoing = Pusher()
    call = stub.JoinChat(iter(outgoing), timeout=CALL_TIMEOUT)
    try:
        first = next(call, None)
        if first is None:  # the call is over, so code() no longer blocks
            raise CaseFailed("the stream ended before any message (%s)" % call.code())
        check(first.kind == KIND_JOINED, "the first message should be my own join notice, got %r (kind %d)" % (first.text, first.kind))
        check_notice("me", first)
        me = first.user_id
        outgoing.push(chat_pb2.ChatMessage(text=ROOM_HELLO))
        # Then, in this order: my own line, the other member's reply, the other member leaving.
        own = next_line(call, me)
        check(own is not None and own.user_id == me and own.text == ROOM_HELLO,
              "expected my own line %r from %s, got %r" % (ROOM_HELLO, me, own and (own.user_id, own.text)))
        reply = next_line(call, me)
        check(reply is not None and reply.user_id != me and reply.text == ROOM_REPLY,
              "expected %r from the other member, got %r" % (ROOM_REPLY, reply and (reply.user_id, reply.text)))
        check(reply.timestamp > 0, "the reply has timestamp %d" % reply.timestamp)
        other = reply.user_id
        left = next(call, None)
        check(left is not None and left.kind == KIND_LEFT and left.user_id == other,
              "expected %s's leave notice, got %r" % (other, left and (left.user_id, left.text, left.kind)))
        check_notice(me, left)
    finally:
        outgoing.close()
    rest = list(call)
    check(not rest, "%d unexpected messages after leaving: %r" % (len(rest), [(m.user_id, m.text) for m in rest]))
    check(call.code() == grpc.StatusCode.OK, "status %s, want OK" % call.code())
    print("ROOM me=%s other=%s" % (me, other), flush=True)


CASES = {"upload": case_upload, "sum": case_sum, "chat": case_chat, "room": case_room}


def finish(name, error):
    if error is None:
        print("PASS %s" % name, flush=True)
        os._exit(0)
    print("FAIL %s: %s" % (name, error), flush=True)
    os._exit(1)


def run_client(host, port, name):
    if name not in CASES:
        finish(name, "unknown case (known: %s)" % ", ".join(CASES))
    watchdog = threading.Timer(WATCHDOG, finish, (name, "watchdog: case took over %gs" % WATCHDOG))
    watchdog.daemon = True
    watchdog.start()
    error = None
    with grpc.insecure_channel("%s:%d" % (host, port), options=common.CHANNEL_OPTIONS) as channel:
        try:
            CASES[name](channel)
        except CaseFailed as e:
            error = str(e)
        except grpc.RpcError as e:
            error = "unexpected status %s: %r" % (e.code(), e.details())
        except Exception as e:
            error = "%s: %s" % (type(e).__name__, e)
    sys.stdout.flush()
    finish(name, error)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    p_serve = sub.add_parser("serve")
    p_serve.add_argument("--port", type=int, required=True)
    p_client = sub.add_parser("client")
    p_client.add_argument("--server_host", default="127.0.0.1")
    p_client.add_argument("--server_port", type=int, required=True)
    p_client.add_argument("--case", required=True, help="upload | sum | chat | room")
    args = parser.parse_args()
    if args.mode == "serve":
        serve(args.port)
    else:
        run_client(args.server_host, args.server_port, args.case)


if __name__ == "__main__":
    main()
