using System.Threading.Channels;
using Grpc.Core;
using StreamingTutorial.Protos.Chat;

namespace StreamingTutorial.Chapter05;

/// <summary>
/// One member of the room: its name, and its outbox, the queue of messages waiting to be
/// written to its stream. The room puts messages in without waiting; the member's own call
/// takes them out and writes them, one at a time.
/// </summary>
public sealed class ChatMember
{
    private readonly Channel<ChatMessage> outbox;
    private readonly CancellationTokenSource dropped = new();

    public ChatMember(int number, int maxPendingMessages)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(number, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPendingMessages, 1);
        Number = number;
        Name = $"Client({number})";
        // Bounded: a member that stops reading can hold back at most this many messages.
        outbox = Channel.CreateBounded<ChatMessage>(new BoundedChannelOptions(maxPendingMessages)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>The member's number in join order: 1 for the room's first member.</summary>
    public int Number { get; }

    /// <summary>The name everyone sees: <c>Client(2)</c> until the member's first line settles it (<see cref="ChatRoom.SettleName"/>).</summary>
    public string Name { get; private set; }

    /// <summary>True once the member's first line has settled its name, whether or not it changed.</summary>
    public bool NameSettled { get; private set; }

    /// <summary>Marks the name as settled; false if it already was. The room calls this, under its lock.</summary>
    internal bool SettleName() => !NameSettled && (NameSettled = true);

    internal void Rename(string name) => Name = name;

    /// <summary>The messages waiting to be written to this member's stream, oldest first.</summary>
    public ChannelReader<ChatMessage> Outbox => outbox.Reader;

    /// <summary>
    /// Puts a message in the outbox without waiting. False when the outbox is full (the member
    /// is that far behind) or closed (the member has left or was dropped).
    /// </summary>
    public bool TryEnqueue(ChatMessage message) => outbox.Writer.TryWrite(message);

    /// <summary>No more messages for this member: its writer sends what is queued, then stops.</summary>
    public void CloseOutbox() => outbox.Writer.TryComplete();

    /// <summary>Why the room dropped this member, or null while it has not.</summary>
    public Status? DropReason { get; private set; }

    /// <summary>Fires when the room drops this member, so its call can end at once.</summary>
    public CancellationToken Dropped => dropped.Token;

    /// <summary>Drops the member: closes its outbox and fires <see cref="Dropped"/>. The first reason given wins.</summary>
    public void Drop(Status reason)
    {
        lock (dropped)
        {
            if (DropReason is not null)
            {
                return;
            }
            DropReason = reason;
        }
        CloseOutbox();
        dropped.Cancel();
    }
}
