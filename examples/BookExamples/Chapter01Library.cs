using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using StreamingTutorial.BookExamples.Protos;

namespace StreamingTutorial.BookExamples;

/// <summary>Chapter 1's example: a unary service that answers, refuses, and touches the disk.</summary>
public sealed class LibraryService(NotesFolder notes) : Library.LibraryBase
{
    private static readonly Dictionary<string, string> Titles = new()
    {
        ["978-0131103627"] = "The C Programming Language",
        ["978-0262033848"] = "Introduction to Algorithms",
    };

    // snippet: find-book
    public override Task<Book> FindBook(FindBookRequest request, ServerCallContext context)
    {
        if (request.Isbn.Length != 14)
        {
            // The caller's mistake: say so with a status, and the caller gets exactly this.
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"An ISBN has 14 characters, not {request.Isbn.Length}."));
        }
        if (!Titles.TryGetValue(request.Isbn, out var title))
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"No book with ISBN {request.Isbn}."));
        }
        var book = new Book { Isbn = request.Isbn, Title = title, LookedUpAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow) };
        return Task.FromResult(book);
    }
    // end snippet

    // snippet: save-note
    public override async Task<SaveNoteReply> SaveNote(SaveNoteRequest request, ServerCallContext context)
    {
        // The ISBN becomes part of a path: refuse anything but digits and dashes before the disk is touched.
        if (request.Isbn.Length == 0 || !request.Isbn.All(c => char.IsAsciiDigit(c) || c == '-'))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "An ISBN is digits and dashes."));
        }
        var notePath = Path.Join(notes.Folder, request.Isbn + ".note");
        await File.AppendAllTextAsync(notePath, request.Text + Environment.NewLine, context.CancellationToken);
        return new SaveNoteReply { Characters = request.Text.Length };
    }
    // end snippet
}

/// <summary>Where the library keeps its notes; made once and handed to every call by dependency injection.</summary>
public sealed record NotesFolder(string Folder);

public static class LibraryClientExamples
{
    // snippet: find-book-client
    public static async Task<string> TitleOfAsync(Library.LibraryClient library, string isbn)
    {
        try
        {
            // Ten seconds for the whole call: the deadline travels to the server as grpc-timeout.
            var book = await library.FindBookAsync(new FindBookRequest { Isbn = isbn }, deadline: DateTime.UtcNow.AddSeconds(10));
            return $"{book.Title} (looked up {book.LookedUpAt.ToDateTimeOffset():HH:mm:ss} UTC)";
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.NotFound or StatusCode.InvalidArgument)
        {
            return $"not found: {ex.StatusCode}, {ex.Status.Detail}";
        }
    }
    // end snippet
}
