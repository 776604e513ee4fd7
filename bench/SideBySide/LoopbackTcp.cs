using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace StreamingTutorial.Bench;

/// <summary>
/// The ceiling: plain TCP over 127.0.0.1, one connection, blocking sends of <c>chunk</c>
/// bytes and receives into a buffer of the same size, no framing and no protocol.
/// </summary>
internal static class LoopbackTcp
{
    public static double MeasureMiBPerSecond(long total, int chunk)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        long received = 0;
        var receiver = new Thread(() =>
        {
            using var connection = listener.Accept();
            var buffer = new byte[chunk];
            int count;
            while ((count = connection.Receive(buffer)) > 0)
            {
                received += count;
            }
        })
        { IsBackground = true, Name = "tcp receiver" };
        receiver.Start();

        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        sender.Connect(listener.LocalEndPoint!);
        var data = new byte[chunk];
        // Warm up the connection (and the code) before the clock starts.
        for (var i = 0; i < 16; i++)
        {
            sender.Send(data);
        }
        var start = Stopwatch.GetTimestamp();
        for (long sent = 0; sent < total; sent += chunk)
        {
            sender.Send(data);
        }
        sender.Shutdown(SocketShutdown.Send);
        receiver.Join();
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        if (received < total)
        {
            throw new InvalidOperationException($"Received {received} bytes, expected at least {total}.");
        }
        return total / (1024.0 * 1024.0) / seconds;
    }
}
