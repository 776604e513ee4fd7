#!/usr/bin/python3
"""gRPC interop server (grpc.testing.TestService) on Debian's grpcio.

    /usr/bin/python3 interop_server.py --port N

Binds 127.0.0.1:N (0 = pick a free port), prints 'LISTENING <port>' once it
accepts calls, and serves until SIGTERM/SIGINT or until stdin closes.
UnimplementedCall and UnimplementedService are deliberately left out, so gRPC
answers them with UNIMPLEMENTED.
"""
import argparse
import time

import gen

gen.ensure()

import grpc  # noqa: E402
from interop_pb.grpc.testing import empty_pb2, messages_pb2, test_pb2_grpc  # noqa: E402

import common  # noqa: E402

ECHO_INITIAL = "x-grpc-test-echo-initial"
ECHO_TRAILING = "x-grpc-test-echo-trailing-bin"


def payload(size):
    """A COMPRESSABLE payload of `size` zero bytes."""
    return messages_pb2.Payload(type=messages_pb2.COMPRESSABLE, body=bytes(size))


def echo_metadata(context):
    """Echoes the interop test headers: the initial one at once, the binary one as a trailer."""
    received = context.invocation_metadata() or ()
    initial = [(m.key, m.value) for m in received if m.key == ECHO_INITIAL]
    trailing = [(m.key, m.value) for m in received if m.key == ECHO_TRAILING]
    if initial:
        context.send_initial_metadata(initial)
    if trailing:
        context.set_trailing_metadata(trailing)


def fail_if_asked(echo_status, context):
    """Ends the call with the requested status when the request carries a non-OK one."""
    if echo_status.code != 0:
        code = common.STATUS_BY_NUMBER.get(echo_status.code, grpc.StatusCode.UNKNOWN)
        context.abort(code, echo_status.message)  # raises


def responses_for(request):
    """The responses one StreamingOutputCallRequest asks for, honouring interval_us."""
    for params in request.response_parameters:
        if params.interval_us > 0:
            time.sleep(params.interval_us / 1_000_000)
        yield messages_pb2.StreamingOutputCallResponse(payload=payload(params.size))


class TestService(test_pb2_grpc.TestServiceServicer):
    def EmptyCall(self, request, context):
        echo_metadata(context)
        return empty_pb2.Empty()

    def UnaryCall(self, request, context):
        echo_metadata(context)
        fail_if_asked(request.response_status, context)
        return messages_pb2.SimpleResponse(payload=payload(request.response_size))

    def StreamingOutputCall(self, request, context):
        echo_metadata(context)
        yield from responses_for(request)
        fail_if_asked(request.response_status, context)

    def StreamingInputCall(self, request_iterator, context):
        echo_metadata(context)
        total = sum(len(r.payload.body) for r in request_iterator)
        return messages_pb2.StreamingInputCallResponse(aggregated_payload_size=total)

    def FullDuplexCall(self, request_iterator, context):
        echo_metadata(context)
        # Each request is answered before the next one is read (ping-pong).
        for request in request_iterator:
            yield from responses_for(request)
            fail_if_asked(request.response_status, context)

    def HalfDuplexCall(self, request_iterator, context):
        echo_metadata(context)
        requests = list(request_iterator)  # answer only after the client half-closes
        for request in requests:
            yield from responses_for(request)
            fail_if_asked(request.response_status, context)

    # UnimplementedCall is not overridden: the generated base answers UNIMPLEMENTED.


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    common.run_server(args.port,
                      lambda server: test_pb2_grpc.add_TestServiceServicer_to_server(TestService(), server))


if __name__ == "__main__":
    main()
