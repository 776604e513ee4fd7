#!/usr/bin/python3
"""Seed 004's sum server (written in Go there): adds every number and answers with an int32.

Like the seed, it does not check for overflow; in Python the int32 field refuses a sum that
does not fit, so such a call ends with UNKNOWN, where the workbook's server says OUT_OF_RANGE.
"""
import seedlib

seedlib.stubs()
import numbers_pb2 as pb  # noqa: E402
import numbers_pb2_grpc as rpc  # noqa: E402


class Numbers(rpc.NumberServiceServicer):
    def SumNumbers(self, request_iterator, context):
        total = 0
        for request in request_iterator:
            total += request.num
        return pb.NumberResponse(sum=total)


if __name__ == "__main__":
    seedlib.serve(lambda s: rpc.add_NumberServiceServicer_to_server(Numbers(), s), seedlib.port_argument())
