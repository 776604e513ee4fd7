using StreamingTutorial.Chapter05;
using StreamingTutorial.Grading.Chapter05;
using StreamingTutorial.Grading.TestSuites;

namespace StreamingTutorial.Graders.Chapter05;

/// <summary>Chapter 5, bidirectional streaming. Grade it alone: dotnet test tests/Graders/Chapter05.Graders</summary>
[TestFixture]
[Category("Chapter05")]
public class Chapter05_BidirectionalStreaming
{
    private static LearnersChatRoom CreateRoom(int maxPendingMessages) => new(new ChatRoom(maxPendingMessages));

    [Test]
    public Task Exercise_5_1_Broadcast_reaches_every_member_without_waiting_and_drops_a_member_that_falls_behind() =>
        Verdict.Of(() => Chapter05Grader.BroadcastAsync(CreateRoom));

    [Test]
    public Task Exercise_5_2_Leave_removes_a_member_once_closes_its_outbox_and_tells_the_others() =>
        Verdict.Of(() => Chapter05Grader.LeaveAsync(CreateRoom));

    [Test]
    public Task Exercise_5_3_JoinChat_relays_every_line_to_every_member_and_cleans_up_however_a_member_leaves() =>
        Verdict.Of(() => Chapter05Grader.JoinChatAsync<ChatServiceImpl, ChatRoom>(
            maxPendingMessages => new ChatRoom(maxPendingMessages), room => room.Count, ChatRoom.MaxTextLength));

    [Test]
    public Task Exercise_5_4_FormatLine_shows_the_local_time_the_member_and_the_text() =>
        Verdict.Of(() => Chapter05Grader.FormatLineAsync(ChatClient.FormatLine));

    [Test]
    public Task Exercise_5_5_ChatAsync_sends_lines_until_exit_while_receiving_and_returns_when_the_server_ends_the_call() =>
        Verdict.Of(() => Chapter05Grader.ChatAsync(ChatClient.ChatAsync));

    [Test]
    public Task Exercise_5_T_your_tests_catch_every_wrong_service() =>
        Verdict.Of(() => TestSuiteGrader.GradeAsync("5.T"));
}
