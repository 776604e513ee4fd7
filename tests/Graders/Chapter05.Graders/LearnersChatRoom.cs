using System.Threading.Channels;
using Grpc.Core;
using StreamingTutorial.Chapter05;
using StreamingTutorial.Grading.Chapter05;
using StreamingTutorial.Protos.Chat;

namespace StreamingTutorial.Graders.Chapter05;

/// <summary>The chapter's ChatRoom as the room grader drives it. (The grader proofs compile this same file against the solution.)</summary>
public sealed class LearnersChatRoom(ChatRoom room) : IChatRoomUnderTest
{
    public int Count => room.Count;

    public IChatMemberUnderTest Join() => new Member(room.Join());

    public void Broadcast(ChatMessage message) => room.Broadcast(message);

    public void Leave(IChatMemberUnderTest member) => room.Leave(((Member)member).Inner);

    private sealed class Member(ChatMember inner) : IChatMemberUnderTest
    {
        public ChatMember Inner { get; } = inner;

        public string Name => Inner.Name;

        public ChannelReader<ChatMessage> Outbox => Inner.Outbox;

        public Status? DropReason => Inner.DropReason;
    }
}
