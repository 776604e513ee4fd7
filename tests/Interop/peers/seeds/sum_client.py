#!/usr/bin/python3
"""Seed 004's sum client (written in Go there): streams 1 to 10 and prints the sum (a 5 s deadline where the seed has 1 s: test machines are busy)."""
import sys

import seedlib

seedlib.stubs()
import numbers_pb2 as pb  # noqa: E402
import numbers_pb2_grpc as rpc  # noqa: E402
import grpc  # noqa: E402

with grpc.insecure_channel("127.0.0.1:%d" % seedlib.port_argument()) as channel:
    reply = rpc.NumberServiceStub(channel).SumNumbers((pb.NumberRequest(num=i) for i in range(1, 11)), timeout=5)
print("Sum: %d" % reply.sum)
sys.exit(0 if reply.sum == 55 else 1)
