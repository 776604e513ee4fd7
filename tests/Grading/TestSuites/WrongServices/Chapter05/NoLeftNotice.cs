// Wrong room: a chat room that does not tell the others when a member leaves.
namespace StreamingTutorial.Chapter05;

public sealed class ChatRoom
{
    public void Leave(ChatMember member)
    {
        lock (gate)
        {
            if (members.Remove(member.Number))
            {
                member.CloseOutbox();
            }
        }
    }
}
