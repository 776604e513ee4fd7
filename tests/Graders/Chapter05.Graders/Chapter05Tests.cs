using StreamingTutorial.Chapter05;
using StreamingTutorial.Grading;
using StreamingTutorial.Grading.Chapter05;

namespace StreamingTutorial.Graders.Chapter05;

/// <summary>Chapter 5, bidirectional streaming. Grade it alone: dotnet test tests/Graders/Chapter05.Graders</summary>
[TestFixture]
public class Chapter05_BidirectionalStreaming
{
    /// <summary>Your code, as the checks call it.</summary>
    private static readonly Chapter05Code<ChatServiceImpl, ChatRoom> Code = new(
        CreateRoomUnderTest: maxPendingMessages => new LearnersChatRoom(new ChatRoom(maxPendingMessages)),
        CreateRoom: maxPendingMessages => new ChatRoom(maxPendingMessages),
        MembersInRoom: room => room.Count,
        MaxTextLength: ChatRoom.MaxTextLength,
        FormatLine: ChatClient.FormatLine,
        ChatAsync: ChatClient.ChatAsync);

    private static IEnumerable<TestCaseData> Checks() => GraderCases.From(Chapter05Grader.Checks(Code));

    [TestCaseSource(nameof(Checks))]
    public Task Grade(Check check) => Verdict.Of(check);
}
