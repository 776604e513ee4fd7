using StreamingTutorial.Chapter05;
using StreamingTutorial.Grading.Chapter05;

namespace StreamingTutorial.Graders.Chapter05;

/// <summary>The learner's ChatRoom (chapters/05) as the room grader drives it.</summary>
public sealed class LearnersChatRoom(ChatRoom room)
    : ChatRoomAdapter<ChatMember>(() => room.Count, room.Join, room.Broadcast, room.Leave, m => m.Name, m => m.Outbox, m => m.DropReason);
