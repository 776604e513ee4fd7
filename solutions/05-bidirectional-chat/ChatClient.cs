using System.Globalization;
using Grpc.Core;
using StreamingTutorial.Protos.Chat;
using Kind = StreamingTutorial.Protos.Chat.ChatMessage.Types.Kind;

namespace StreamingTutorial.Chapter05;

/// <summary>The client side of chapter 5: one member's conversation, and how its lines look.</summary>
public static class ChatClient
{
    // Exercise 5.4
    // snippet: format-line
    /// <summary>
    /// How a message looks on screen, the server's timestamp in local time:
    /// <c>[14:30:10] Client(1): Hello everyone!</c> for a line, <c>[14:30:00] Client(1) has joined the chat</c> for a notice.
    /// </summary>
    public static string FormatLine(ChatMessage message)
    {
        var time = TimeOfDay(message.Timestamp);
        // Anything but a member's line is a notice, kinds this client has never heard of included.
        return message.Kind == Kind.Message
            ? $"[{time}] {message.UserId}: {message.Text}"
            : $"[{time}] {message.UserId} {message.Text}";
    }

    /// <summary>The local time of day of a timestamp in seconds, or in milliseconds from a server that sends those; --:--:-- when it is no time at all.</summary>
    private static string TimeOfDay(long timestamp)
    {
        // Seconds this large would be after the year 5000: the server meant milliseconds.
        var seconds = timestamp is > 99_999_999_999 or < -99_999_999_999 ? timestamp / 1000 : timestamp;
        try
        {
            return DateTimeOffset.FromUnixTimeSeconds(seconds).ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture);
        }
        catch (ArgumentOutOfRangeException)
        {
            return "--:--:--"; // before the year 1 or after 9999: one odd message must not end the chat
        }
    }
    // end snippet

    // Exercise 5.5
    // snippet: chat
    /// <summary>
    /// Joins the room and chats: sends each line as it comes, with <paramref name="name"/> as its
    /// user_id (none when null: the room then numbers the member), until a line <c>exit</c> or the
    /// end of the lines, while handing every incoming message to <paramref name="onMessage"/>.
    /// Returns when the server has ended the call; throws its RpcException if it ended with an error.
    /// </summary>
    public static async Task ChatAsync(ChatService.ChatServiceClient client, IAsyncEnumerable<string> lines, Action<ChatMessage> onMessage, CancellationToken cancellationToken = default,
        string? name = null)
    {
        using var call = client.JoinChat(cancellationToken: cancellationToken);
        // Cancelled when the server ends the call, so we stop waiting for the next line.
        using var callOver = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Receive and send at the same time: messages arrive while we wait for input.
        var receiving = ReceiveAllAsync(call.ResponseStream, onMessage, callOver);
        try
        {
            await foreach (var line in lines.WithCancellation(callOver.Token))
            {
                if (string.Equals(line.Trim(), "exit", StringComparison.OrdinalIgnoreCase))
                {
                    break;
                }
                await call.RequestStream.WriteAsync(new ChatMessage { UserId = name ?? "", Text = line }, callOver.Token);
            }
            // Leaving: the server sees the end of our stream, tells the others and ends the call.
            await call.RequestStream.CompleteAsync();
        }
        catch (Exception) when (callOver.IsCancellationRequested)
        {
            // The call is over (the server ended it, or we were cancelled): receiving says how.
        }
        await receiving;
    }

    private static async Task ReceiveAllAsync(IAsyncStreamReader<ChatMessage> responses, Action<ChatMessage> onMessage, CancellationTokenSource callOver)
    {
        try
        {
            await foreach (var message in responses.ReadAllAsync())
            {
                onMessage(message);
            }
        }
        finally
        {
            callOver.Cancel();
        }
    }
    // end snippet
}
