using System.Threading.Channels;
using Grpc.Core;
using StreamingTutorial.Protos.Chat;

namespace StreamingTutorial.Grading.Chapter05;

/// <summary>
/// A ChatRoom and its ChatMember seen as <see cref="IChatRoomUnderTest"/>, through delegates. The
/// learner's room (chapters/05) and the solution's (solutions/05) are two assemblies with the
/// same names, so each project that grades one binds it in one statement and shares the rest.
/// </summary>
public class ChatRoomAdapter<TMember>(
    Func<int> count,
    Func<TMember> join,
    Action<ChatMessage> broadcast,
    Action<TMember> leave,
    Func<TMember, string> name,
    Func<TMember, ChannelReader<ChatMessage>> outbox,
    Func<TMember, Status?> dropReason) : IChatRoomUnderTest
{
    public int Count => count();

    public IChatMemberUnderTest Join() => new Member(join(), name, outbox, dropReason);

    public void Broadcast(ChatMessage message) => broadcast(message);

    public void Leave(IChatMemberUnderTest member) => leave(((Member)member).Inner);

    private sealed class Member(
        TMember inner,
        Func<TMember, string> name,
        Func<TMember, ChannelReader<ChatMessage>> outbox,
        Func<TMember, Status?> dropReason) : IChatMemberUnderTest
    {
        public TMember Inner { get; } = inner;

        public string Name => name(Inner);

        public ChannelReader<ChatMessage> Outbox => outbox(Inner);

        public Status? DropReason => dropReason(Inner);
    }
}
