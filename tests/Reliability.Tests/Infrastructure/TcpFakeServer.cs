using System.Net;
using System.Net.Sockets;

namespace StreamingTutorial.Reliability.Tests.Infrastructure;

/// <summary>A TCP server that is not an HTTP/2 server: it answers every connection with the same behaviour.</summary>
internal sealed class TcpFakeServer : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private readonly List<TcpClient> connections = new();
    private readonly Task accepting;

    /// <param name="answer">What to do with each accepted connection; it is closed when the server is disposed, not before.</param>
    public TcpFakeServer(Func<NetworkStream, CancellationToken, Task> answer)
    {
        listener.Start();
        accepting = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                TcpClient connection;
                try
                {
                    connection = await listener.AcceptTcpClientAsync(stop.Token);
                }
                catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }
                lock (connections)
                {
                    connections.Add(connection);
                }
                _ = Task.Run(async () =>
                {
                    try
                    {
                        await answer(connection.GetStream(), stop.Token);
                    }
                    catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
                    {
                    }
                });
            }
        });
    }

    public Uri Address => new($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}");

    public async ValueTask DisposeAsync()
    {
        stop.Cancel();
        listener.Stop();
        lock (connections)
        {
            connections.ForEach(c => c.Dispose());
        }
        await accepting;
        stop.Dispose();
    }
}
