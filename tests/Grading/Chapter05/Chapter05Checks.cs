using StreamingTutorial.Grading.TestSuites;
using StreamingTutorial.Protos.Chat;

namespace StreamingTutorial.Grading.Chapter05;

/// <summary>The code chapter 5's checks grade: the learner's, in the grader project, or the solution's, in the proofs.</summary>
/// <param name="CreateRoomUnderTest">The ChatRoom with a largest outbox, wrapped for the room checks (5.1, 5.2).</param>
/// <param name="CreateRoom">The ChatRoom itself with a largest outbox, which JoinChat gets from dependency injection.</param>
/// <param name="MembersInRoom">How many members the room has now.</param>
/// <param name="MaxTextLength">ChatRoom.MaxTextLength.</param>
public sealed record Chapter05Code<TService, TRoom>(
    Func<int, IChatRoomUnderTest> CreateRoomUnderTest,
    Func<int, TRoom> CreateRoom,
    Func<TRoom, int> MembersInRoom,
    int MaxTextLength,
    Func<ChatMessage, string> FormatLine,
    Func<ChatService.ChatServiceClient, IAsyncEnumerable<string>, Action<ChatMessage>, CancellationToken, string?, Task> ChatAsync)
    where TService : ChatService.ChatServiceBase
    where TRoom : class;

public static partial class Chapter05Grader
{
    /// <summary>Every check of chapter 5, one or more per exercise, in the catalog's order.</summary>
    public static IReadOnlyList<Check> Checks<TService, TRoom>(Chapter05Code<TService, TRoom> code)
        where TService : ChatService.ChatServiceBase
        where TRoom : class =>
    [
        new(Exercises.Broadcast, "reaches every member without waiting and drops a member that falls behind", () => BroadcastAsync(code.CreateRoomUnderTest)),
        new(Exercises.Leave, "removes a member once, closes its outbox and tells the others", () => LeaveAsync(code.CreateRoomUnderTest)),
        new(Exercises.JoinChat, "relays every line to every member and cleans up however a member leaves",
            () => JoinChatAsync<TService, TRoom>(code.CreateRoom, code.MembersInRoom, code.MaxTextLength)),
        new(Exercises.FormatLine, "shows the local time, the member and the text", () => FormatLineAsync(code.FormatLine)),
        new(Exercises.ChatAsync, "sends lines until exit while receiving, and returns when the server ends the call", () => ChatAsync(code.ChatAsync)),
        new(Exercises.Tests, "catch every wrong service", () => TestSuiteGrader.GradeAsync(Exercises.Tests)),
    ];
}
