#!/usr/bin/python3
"""gRPC interop client (grpc.testing.TestService) on Debian's grpcio.

    /usr/bin/python3 interop_client.py --server_host 127.0.0.1 --server_port N --test_case NAME

Runs one case of the official interop test descriptions. On success it prints
'PASS NAME' and exits 0; otherwise it prints 'FAIL NAME: <reason>' and exits 1.
Every call has a 20 s deadline and a watchdog ends the process after 30 s.
"""
import argparse
import os
import queue
import sys
import threading

import gen

gen.ensure()

import grpc  # noqa: E402
from interop_pb.grpc.testing import empty_pb2, messages_pb2, test_pb2_grpc  # noqa: E402

import common  # noqa: E402

CALL_TIMEOUT = 20.0   # seconds, per RPC
WATCHDOG = 30.0       # seconds, whole process
SC = grpc.StatusCode
M = messages_pb2

ECHO_INITIAL = ("x-grpc-test-echo-initial", "test_initial_metadata_value")
ECHO_TRAILING = ("x-grpc-test-echo-trailing-bin", b"\xab\xab\xab")
SPECIAL_MESSAGE = "\t\ntest with whitespace\r\nand Unicode BMP \u263a and non-BMP \U0001f608\t\n"


class CaseFailed(Exception):
    pass


def check(condition, reason):
    if not condition:
        raise CaseFailed(reason)


def payload(size):
    return M.Payload(type=M.COMPRESSABLE, body=bytes(size))


def check_payload(p, size, what="response"):
    check(p.type == M.COMPRESSABLE, "%s payload type %r, want COMPRESSABLE" % (what, p.type))
    check(len(p.body) == size, "%s payload is %d bytes, want %d" % (what, len(p.body), size))
    check(p.body == bytes(size), "%s payload is not all zeros" % what)


def duplex_request(response_size, payload_size, status=None):
    req = M.StreamingOutputCallRequest(response_type=M.COMPRESSABLE, payload=payload(payload_size))
    if response_size is not None:
        req.response_parameters.add(size=response_size)
    if status is not None:
        req.response_status.CopyFrom(status)
    return req


class Pusher:
    """A request stream the test feeds one message at a time; close() half-closes it."""

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


def expect_error(fn, code, message=None):
    """Runs fn, which must fail with `code` (and `message`, if given)."""
    try:
        fn()
    except grpc.RpcError as e:
        check(e.code() == code, "status %s (%r), want %s" % (e.code(), e.details(), code))
        if message is not None:
            check(e.details() == message, "status message %r, want %r" % (e.details(), message))
        return
    raise CaseFailed("call succeeded, want %s" % code)


def check_echoed(initial, trailing):
    init = [v for k, v in (initial or ()) if k == ECHO_INITIAL[0]]
    trail = [v for k, v in (trailing or ()) if k == ECHO_TRAILING[0]]
    check(init == [ECHO_INITIAL[1]], "initial metadata %s = %r, want [%r]" % (ECHO_INITIAL[0], init, ECHO_INITIAL[1]))
    check(trail == [ECHO_TRAILING[1]], "trailing metadata %s = %r, want [%r]" % (ECHO_TRAILING[0], trail, ECHO_TRAILING[1]))


# ---- the cases -------------------------------------------------------------

def empty_unary(stub, channel):
    resp = stub.EmptyCall(empty_pb2.Empty(), timeout=CALL_TIMEOUT)
    check(resp == empty_pb2.Empty(), "response is not empty")


def large_unary_request():
    return M.SimpleRequest(response_type=M.COMPRESSABLE, response_size=314159, payload=payload(271828))


def large_unary(stub, channel):
    resp = stub.UnaryCall(large_unary_request(), timeout=CALL_TIMEOUT)
    check_payload(resp.payload, 314159)


def client_streaming(stub, channel):
    reqs = [M.StreamingInputCallRequest(payload=payload(n)) for n in (27182, 8, 1828, 45904)]
    resp = stub.StreamingInputCall(iter(reqs), timeout=CALL_TIMEOUT)
    check(resp.aggregated_payload_size == 74922,
          "aggregated_payload_size %d, want 74922" % resp.aggregated_payload_size)


def server_streaming(stub, channel):
    sizes = (31415, 9, 2653, 58979)
    req = M.StreamingOutputCallRequest(response_type=M.COMPRESSABLE)
    for s in sizes:
        req.response_parameters.add(size=s)
    call = stub.StreamingOutputCall(req, timeout=CALL_TIMEOUT)
    got = list(call)
    check(len(got) == len(sizes), "got %d responses, want %d" % (len(got), len(sizes)))
    for i, (r, s) in enumerate(zip(got, sizes)):
        check_payload(r.payload, s, "response #%d" % (i + 1))
    check(call.code() == SC.OK, "status %s, want OK" % call.code())


def ping_pong(stub, channel):
    pairs = ((31415, 27182), (9, 8), (2653, 1828), (58979, 45904))  # (response size, request payload)
    requests = Pusher()
    call = stub.FullDuplexCall(iter(requests), timeout=CALL_TIMEOUT)
    try:
        for i, (resp_size, req_size) in enumerate(pairs):
            requests.push(duplex_request(resp_size, req_size))
            resp = next(call, None)
            check(resp is not None, "stream ended before response #%d" % (i + 1))
            check_payload(resp.payload, resp_size, "response #%d" % (i + 1))
    finally:
        requests.close()
    rest = list(call)
    check(not rest, "%d unexpected extra responses" % len(rest))
    check(call.code() == SC.OK, "status %s, want OK" % call.code())


def empty_stream(stub, channel):
    call = stub.FullDuplexCall(iter(()), timeout=CALL_TIMEOUT)
    got = list(call)
    check(not got, "got %d responses, want 0" % len(got))
    check(call.code() == SC.OK, "status %s, want OK" % call.code())


def custom_metadata(stub, channel):
    metadata = (ECHO_INITIAL, ECHO_TRAILING)
    # UnaryCall
    resp, call = stub.UnaryCall.with_call(large_unary_request(), metadata=metadata, timeout=CALL_TIMEOUT)
    check_payload(resp.payload, 314159)
    check_echoed(call.initial_metadata(), call.trailing_metadata())
    # FullDuplexCall
    requests = Pusher()
    call = stub.FullDuplexCall(iter(requests), metadata=metadata, timeout=CALL_TIMEOUT)
    try:
        requests.push(duplex_request(314159, 271828))
        resp = next(call, None)
        check(resp is not None, "full duplex: no response")
        check_payload(resp.payload, 314159)
    finally:
        requests.close()
    rest = list(call)
    check(not rest, "full duplex: %d unexpected extra responses" % len(rest))
    check_echoed(call.initial_metadata(), call.trailing_metadata())


def status_code_and_message(stub, channel):
    status = M.EchoStatus(code=2, message="test status message")
    expect_error(lambda: stub.UnaryCall(M.SimpleRequest(response_status=status), timeout=CALL_TIMEOUT),
                 SC.UNKNOWN, status.message)

    def duplex():
        requests = Pusher()
        requests.push(duplex_request(None, 0, status))
        requests.close()
        list(stub.FullDuplexCall(iter(requests), timeout=CALL_TIMEOUT))
    expect_error(duplex, SC.UNKNOWN, status.message)


def special_status_message(stub, channel):
    status = M.EchoStatus(code=2, message=SPECIAL_MESSAGE)
    expect_error(lambda: stub.UnaryCall(M.SimpleRequest(response_status=status), timeout=CALL_TIMEOUT),
                 SC.UNKNOWN, SPECIAL_MESSAGE)


def unimplemented_method(stub, channel):
    expect_error(lambda: stub.UnimplementedCall(empty_pb2.Empty(), timeout=CALL_TIMEOUT), SC.UNIMPLEMENTED)


def unimplemented_service(stub, channel):
    other = test_pb2_grpc.UnimplementedServiceStub(channel)
    expect_error(lambda: other.UnimplementedCall(empty_pb2.Empty(), timeout=CALL_TIMEOUT), SC.UNIMPLEMENTED)


def cancel_after_begin(stub, channel):
    release = threading.Event()

    def nothing_yet():
        # Sends no message; just keeps the request stream open until released.
        release.wait(CALL_TIMEOUT)
        yield from ()

    future = stub.StreamingInputCall.future(nothing_yet(), timeout=CALL_TIMEOUT)
    future.cancel()
    release.set()
    check(future.code() == SC.CANCELLED, "status %s, want CANCELLED" % future.code())


def cancel_after_first_response(stub, channel):
    requests = Pusher()
    call = stub.FullDuplexCall(iter(requests), timeout=CALL_TIMEOUT)
    try:
        requests.push(duplex_request(31415, 27182))
        resp = next(call, None)
        check(resp is not None, "no first response")
        check_payload(resp.payload, 31415)
        call.cancel()
    finally:
        requests.close()
    check(call.code() == SC.CANCELLED, "status %s, want CANCELLED" % call.code())


def timeout_on_sleeping_server(stub, channel):
    requests = Pusher()
    call = stub.FullDuplexCall(iter(requests), timeout=0.001)
    try:
        requests.push(duplex_request(None, 27182))
        expect_error(lambda: list(call), SC.DEADLINE_EXCEEDED)
    finally:
        requests.close()


CASES = {f.__name__: f for f in (
    empty_unary, large_unary, client_streaming, server_streaming, ping_pong, empty_stream,
    custom_metadata, status_code_and_message, special_status_message, unimplemented_method,
    unimplemented_service, cancel_after_begin, cancel_after_first_response, timeout_on_sleeping_server)}


def finish(name, error):
    if error is None:
        print("PASS %s" % name, flush=True)
        os._exit(0)
    print("FAIL %s: %s" % (name, error), flush=True)
    os._exit(1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server_host", default="127.0.0.1")
    parser.add_argument("--server_port", type=int, required=True)
    parser.add_argument("--test_case", required=True, help=", ".join(CASES))
    args = parser.parse_args()
    if args.test_case not in CASES:
        finish(args.test_case, "unknown test case (known: %s)" % ", ".join(CASES))

    watchdog = threading.Timer(WATCHDOG, finish, (args.test_case, "watchdog: case took over %gs" % WATCHDOG))
    watchdog.daemon = True
    watchdog.start()

    target = "%s:%d" % (args.server_host, args.server_port)
    error = None
    with grpc.insecure_channel(target, options=common.CHANNEL_OPTIONS) as channel:
        try:
            CASES[args.test_case](test_pb2_grpc.TestServiceStub(channel), channel)
        except CaseFailed as e:
            error = str(e)
        except grpc.RpcError as e:
            error = "unexpected status %s: %r" % (e.code(), e.details())
        except Exception as e:  # a bug or a protocol surprise: still report it as a failure
            error = "%s: %s" % (type(e).__name__, e)
    # os._exit: never wait on gRPC's background threads once the verdict is known.
    sys.stdout.flush()
    finish(args.test_case, error)


if __name__ == "__main__":
    main()
