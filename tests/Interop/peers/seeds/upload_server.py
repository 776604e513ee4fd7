#!/usr/bin/python3
"""Seed 000's Python upload server: counts the chunks and bytes of UploadImage and answers once."""
import seedlib

seedlib.stubs()
import uploader_pb2 as pb  # noqa: E402
import uploader_pb2_grpc as rpc  # noqa: E402


class Uploader(rpc.UploaderServiceServicer):
    def UploadImage(self, request_iterator, context):
        chunks = 0
        size = 0
        for chunk in request_iterator:  # ends when the client closes its stream
            chunks += 1
            size += len(chunk.data)
        return pb.UploadSummary(total_chunks=chunks, total_bytes=size)


if __name__ == "__main__":
    seedlib.serve(lambda s: rpc.add_UploaderServiceServicer_to_server(Uploader(), s), seedlib.port_argument())
