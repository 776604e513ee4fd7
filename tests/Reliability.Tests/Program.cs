using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using StreamingTutorial.Chapter05;
using StreamingTutorial.Protos.Chat;
using StreamingTutorial.Protos.Uploader;

namespace StreamingTutorial.Reliability.Tests;

/// <summary>
/// The test assembly's child modes, which the fault tests start as separate processes and then
/// kill (see Infrastructure/Children). Each prints one line when it is ready and then
/// waits to be killed. The test runner never calls Main.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        switch (args)
        {
            case ["upload-and-stall", var address, var name, var chunks]:
                await UploadAndStallAsync(address, name, int.Parse(chunks, System.Globalization.CultureInfo.InvariantCulture));
                return 0;
            case ["chat-member", var address]:
                await ChatMemberAsync(address);
                return 0;
            case ["chat-server"]:
                await ChatServerAsync();
                return 0;
            default:
                await Console.Error.WriteLineAsync("Child modes: upload-and-stall <address> <name> <chunks> | chat-member <address> | chat-server");
                return 2;
        }
    }

    /// <summary>Starts an upload, sends some 1 MiB chunks, then stops sending without completing the stream.</summary>
    private static async Task UploadAndStallAsync(string address, string name, int chunks)
    {
        using var channel = GrpcChannel.ForAddress(address);
        var client = new UploaderService.UploaderServiceClient(channel);
        using var call = client.UploadFile();
        var data = ByteString.CopyFrom(new byte[1024 * 1024]);
        for (var i = 0; i < chunks; i++)
        {
            await call.RequestStream.WriteAsync(new FileChunk { FileName = i == 0 ? name : "", Data = data });
        }
        Console.WriteLine($"SENT {chunks}");
        await Task.Delay(Timeout.Infinite);
    }

    /// <summary>Joins the chat and reads everything, until killed.</summary>
    private static async Task ChatMemberAsync(string address)
    {
        using var channel = GrpcChannel.ForAddress(address);
        var client = new ChatService.ChatServiceClient(channel);
        using var call = client.JoinChat();
        await foreach (var message in call.ResponseStream.ReadAllAsync())
        {
            if (message.Kind == ChatMessage.Types.Kind.Joined)
            {
                Console.WriteLine($"JOINED {message.UserId}");
            }
        }
    }

    /// <summary>Serves chapter 5's chat room on a free port of 127.0.0.1, until killed.</summary>
    private static async Task ChatServerAsync()
    {
        await using var host = await GrpcTestHost.StartAsync(new HostSetup
        {
            Services = services => services.AddSingleton(new ChatRoom()),
            Map = app => app.MapGrpcService<ChatServiceImpl>(),
        });
        Console.WriteLine($"LISTENING {host.Address}");
        await Task.Delay(Timeout.Infinite);
    }
}
