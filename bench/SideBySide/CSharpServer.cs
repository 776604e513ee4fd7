using System.Buffers;
using System.Collections.Concurrent;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using StreamingTutorial.Bench.Protos;
using StreamingTutorial.Chapter05;

namespace StreamingTutorial.Bench;

/// <summary>The C# side's server: the bench service, or the chapter 5 chat room, on Kestrel.</summary>
internal static class CSharpServer
{
    public static async Task<int> RunAsync(CommandLine options)
    {
        var service = options.Get("service", "bench");
        var stock = options.Has("stock");
        await using var host = await GrpcTestHost.StartAsync(new HostSetup
        {
            Port = options.GetInt("port", 0),
            Kestrel = kestrel =>
            {
                if (!stock)
                {
                    kestrel.AddServerHeader = false;
                    // Room for several 1 MiB messages in flight (Kestrel's defaults are 1 MiB for
                    // the connection and 768 KiB per stream, less than one upload chunk).
                    kestrel.Limits.Http2.InitialConnectionWindowSize = 8 << 20;
                    kestrel.Limits.Http2.InitialStreamWindowSize = 4 << 20;
                }
            },
            // Read the socket as soon as it is readable, without a zero-byte read first.
            WebHost = stock ? null : web => web.UseSockets(sockets => sockets.WaitForDataBeforeAllocatingBuffer = false),
            ShutdownTimeout = TimeSpan.FromSeconds(2),
            Services = services =>
            {
                if (!stock)
                {
                    // Kestrel's own pool hands out 4 KiB blocks, so it reads a socket 4 KiB at a time;
                    // larger blocks mean fewer reads, wake-ups and pipe segments per MiB.
                    services.AddSingleton<IMemoryPoolFactory<byte>, LargeBlockMemoryPoolFactory>();
                }
                if (service == "chat")
                {
                    // The reference solution's room with its default capacity: the runner paces the
                    // sender so that no member falls that far behind.
                    services.AddSingleton(new ChatRoom());
                }
            },
            Map = app =>
            {
                if (service == "chat")
                {
                    app.MapGrpcService<ChatServiceImpl>();
                }
                else
                {
                    app.MapGrpcService<BenchServiceImpl>();
                }
            },
        });
        Console.WriteLine($"LISTENING {host.Address.Port}");

        // Serve until the runner closes our stdin. A thread of its own, so that no thread-pool
        // thread is blocked while the benchmark runs.
        var stdinClosed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        new Thread(() =>
        {
            using var stdin = Console.OpenStandardInput();
            var buffer = new byte[256];
            try
            {
                while (stdin.Read(buffer) > 0)
                {
                }
            }
            catch (IOException)
            {
            }
            stdinClosed.TrySetResult();
        })
        { IsBackground = true, Name = "stdin watcher" }.Start();
        await stdinClosed.Task;
        // Calls still running get the 2 s shutdown timeout.
        await host.StopAsync(abort: false);
        return 0;
    }
}

/// <summary>The bench contract on the official server API, written as a service author would.</summary>
internal sealed class BenchServiceImpl : BenchService.BenchServiceBase
{
    public override Task<Payload> Echo(Payload request, ServerCallContext context) => Task.FromResult(request);

    public override async Task<UploadSummary> Upload(IAsyncStreamReader<Payload> requestStream, ServerCallContext context)
    {
        long bytes = 0, messages = 0;
        await foreach (var chunk in requestStream.ReadAllAsync(context.CancellationToken))
        {
            bytes += chunk.Data.Length;
            messages++;
        }
        return new UploadSummary { Bytes = bytes, Messages = messages };
    }

    public override async Task Download(DownloadRequest request, IServerStreamWriter<Payload> responseStream, ServerCallContext context)
    {
        var message = new Payload { Data = ByteString.CopyFrom(new byte[request.Size]) };
        for (var i = 0; i < request.Count; i++)
        {
            await responseStream.WriteAsync(message);
        }
    }

    public override async Task PingPong(IAsyncStreamReader<Payload> requestStream, IServerStreamWriter<Payload> responseStream, ServerCallContext context)
    {
        await foreach (var message in requestStream.ReadAllAsync(context.CancellationToken))
        {
            await responseStream.WriteAsync(message);
        }
    }
}

/// <summary>A memory pool for Kestrel whose blocks are 64 KiB, kept for reuse as Kestrel's own pool keeps its 4 KiB blocks.</summary>
internal sealed class LargeBlockMemoryPoolFactory : IMemoryPoolFactory<byte>
{
    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new LargeBlockMemoryPool();

    private sealed class LargeBlockMemoryPool : MemoryPool<byte>
    {
        private const int BlockSize = 64 * 1024;

        // At most 32 MiB kept for reuse; a block returned beyond that is left to the GC.
        private const int MaxKeptBlocks = 512;

        private readonly ConcurrentQueue<Block> kept = new();
        private int keptCount;

        public override int MaxBufferSize => BlockSize;

        public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
            if (kept.TryDequeue(out var block))
            {
                Interlocked.Decrement(ref keptCount);
                return block;
            }
            return new Block(this);
        }

        protected override void Dispose(bool disposing)
        {
        }

        private void Return(Block block)
        {
            if (Interlocked.Increment(ref keptCount) <= MaxKeptBlocks)
            {
                kept.Enqueue(block);
            }
            else
            {
                Interlocked.Decrement(ref keptCount);
            }
        }

        // Pinned, as Kestrel's blocks are: sockets read into them without pinning per call.
        private sealed class Block(LargeBlockMemoryPool pool) : IMemoryOwner<byte>
        {
            public Memory<byte> Memory { get; } = GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true);

            public void Dispose() => pool.Return(this);
        }
    }
}
