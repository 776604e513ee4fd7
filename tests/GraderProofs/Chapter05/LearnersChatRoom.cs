using StreamingTutorial.Chapter05;
using StreamingTutorial.Grading.Chapter05;

// The name and namespace of the graders' adapter, so the proofs read as the graders do.
namespace StreamingTutorial.Graders.Chapter05;

/// <summary>The solution's ChatRoom (solutions/05), bound as the chapter 5 graders bind the learner's.</summary>
public sealed class LearnersChatRoom(ChatRoom room)
    : ChatRoomAdapter<ChatMember>(() => room.Count, room.Join, room.Broadcast, room.Leave, m => m.Name, m => m.Outbox, m => m.DropReason);
