#!/usr/bin/python3
"""Seed 000's upload client (written in Go there): 5 random chunks of 1,024 bytes, 10 s deadline,
then the server's summary. Exits 1 if the summary is not what was sent."""
import os
import sys

import seedlib

seedlib.stubs()
import uploader_pb2 as pb  # noqa: E402
import uploader_pb2_grpc as rpc  # noqa: E402
import grpc  # noqa: E402

CHUNKS, SIZE = 5, 1024
with grpc.insecure_channel("127.0.0.1:%d" % seedlib.port_argument()) as channel:
    chunks = (pb.ImageChunk(data=os.urandom(SIZE)) for _ in range(CHUNKS))
    summary = rpc.UploaderServiceStub(channel).UploadImage(chunks, timeout=10)
print("Total Chunks Sent: %d (Expected: %d)" % (summary.total_chunks, CHUNKS))
print("Total Bytes Uploaded: %d bytes (Expected: %d bytes)" % (summary.total_bytes, CHUNKS * SIZE))
sys.exit(0 if (summary.total_chunks, summary.total_bytes) == (CHUNKS, CHUNKS * SIZE) else 1)
