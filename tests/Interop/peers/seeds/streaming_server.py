#!/usr/bin/python3
"""Seed 003's server streaming (streaming_server.py and random_server.py there): the time
again and again until the client stops, and random numbers in a range with an interval and a
sequence number.
"""
import random
import time

import seedlib

seedlib.stubs()
import random_numbers_pb2 as rnd  # noqa: E402
import random_numbers_pb2_grpc as rnd_rpc  # noqa: E402
import time_updates_pb2 as tu  # noqa: E402
import time_updates_pb2_grpc as tu_rpc  # noqa: E402
from google.protobuf.timestamp_pb2 import Timestamp  # noqa: E402


class Times(tu_rpc.StreamingServiceServicer):
    def GetTimeUpdates(self, request, context):
        interval = (request.interval_ms or 1000) / 1000.0
        sequence = 0
        while context.is_active():
            sequence += 1
            now = Timestamp()
            now.GetCurrentTime()
            yield tu.TimeUpdate(time=now, sequence=sequence)
            time.sleep(interval)


class Numbers(rnd_rpc.RandomServiceServicer):
    def GenerateNumbers(self, request, context):
        for sequence in range(1, request.count + 1):
            if sequence > 1:
                time.sleep(request.interval_ms / 1000.0)
            yield rnd.RandomNumber(value=random.randint(request.min, request.max), sequence=sequence)


def register(server):
    tu_rpc.add_StreamingServiceServicer_to_server(Times(), server)
    rnd_rpc.add_RandomServiceServicer_to_server(Numbers(), server)


if __name__ == "__main__":
    seedlib.serve(register, seedlib.port_argument())
