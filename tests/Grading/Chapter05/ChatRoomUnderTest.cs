using System.Threading.Channels;
using Grpc.Core;
using StreamingTutorial.Protos.Chat;

namespace StreamingTutorial.Grading.Chapter05;

/// <summary>
/// A chat room as the grader of exercises 5.1 and 5.2 drives it. The grading library cannot
/// name the learner's ChatRoom and ChatMember, so the grader project wraps them in this.
/// </summary>
public interface IChatRoomUnderTest
{
    /// <summary>How many members are in the room now.</summary>
    int Count { get; }

    /// <summary>Adds a member (ChatRoom.Join).</summary>
    IChatMemberUnderTest Join();

    void Broadcast(ChatMessage message);

    void Leave(IChatMemberUnderTest member);
}

/// <summary>A member of a <see cref="IChatRoomUnderTest"/>: its name, its outbox and why it was dropped.</summary>
public interface IChatMemberUnderTest
{
    string Name { get; }

    ChannelReader<ChatMessage> Outbox { get; }

    Status? DropReason { get; }
}
