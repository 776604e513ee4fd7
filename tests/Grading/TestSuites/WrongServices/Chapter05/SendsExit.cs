// Wrong client: a ChatAsync that sends "exit" to the room like any other line instead of leaving.
using Grpc.Core;
using StreamingTutorial.Protos.Chat;

namespace StreamingTutorial.Chapter05;

public static class ChatClient
{
    public static async Task ChatAsync(ChatService.ChatServiceClient client, IAsyncEnumerable<string> lines, Action<ChatMessage> onMessage, CancellationToken cancellationToken = default,
        string? name = null)
    {
        using var call = client.JoinChat(cancellationToken: cancellationToken);
        using var callOver = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var receiving = ReceiveAllAsync(call.ResponseStream, onMessage, callOver);
        try
        {
            await foreach (var line in lines.WithCancellation(callOver.Token))
            {
                await call.RequestStream.WriteAsync(new ChatMessage { UserId = name ?? "", Text = line }, callOver.Token);
            }
            await call.RequestStream.CompleteAsync();
        }
        catch (Exception) when (callOver.IsCancellationRequested)
        {
        }
        await receiving;
    }
}
