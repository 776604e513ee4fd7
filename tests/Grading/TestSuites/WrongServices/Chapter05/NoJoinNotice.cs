// Wrong room: a chat room that does not announce a member who joins.
namespace StreamingTutorial.Chapter05;

public sealed class ChatRoom
{
    public ChatMember Join()
    {
        lock (gate)
        {
            var member = new ChatMember(++lastNumber, MaxPendingMessages);
            members.Add(member.Number, member);
            return member;
        }
    }
}
