using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using Grpc.Core;

namespace StreamingTutorial.Chapter05;

/// <summary>
/// One member's chat, as the chapter's ChatClient holds it: sends the lines (until <c>exit</c> or
/// their end) and hands each message that arrives to <c>show</c> as the line to print. Given code
/// takes it as a delegate because the ChatClient it calls is the learner's.
/// </summary>
public delegate Task ChatSession(IAsyncEnumerable<string> lines, Action<string> show, CancellationToken cancellationToken);

/// <summary>
/// The chat in a terminal: reads what you type and prints what arrives, without breaking the
/// line you are typing. With input from a pipe or a file (as the tests drive it), it simply
/// reads lines and prints messages, with no prompt.
/// </summary>
public static class ChatConsole
{
    private const string Prompt = "> ";
    private static readonly Lock ScreenLock = new();
    private static readonly StringBuilder Typed = new();
    private static bool left;

    /// <summary>A name to chat under when --name is not given: the computer account's, if it makes a usable one.</summary>
    public static string DefaultName(int maxLength) =>
        Environment.UserName is { Length: > 0 } user && user.Length <= maxLength && !user.Any(char.IsControl) ? user : "guest";

    public static async Task RunAsync(ChatSession chat, string name, CancellationToken cancellationToken)
    {
        var interactive = !Console.IsInputRedirected && !Console.IsOutputRedirected;
        Console.WriteLine($"Joined the chat. Type a message and press Enter; type 'exit' or press Ctrl+D to leave. Your name: {name}.");
        var lines = Channel.CreateUnbounded<string>();
        // Reading the keyboard or a pipe blocks, so it runs on its own thread, and the chat can
        // end (the server gone, say) while it waits. A background thread never keeps the program alive.
        var input = new Thread(() =>
        {
            if (interactive)
            {
                ReadKeys(lines.Writer);
            }
            else
            {
                ReadLines(lines.Writer);
            }
        })
        { IsBackground = true, Name = "chat input" };
        input.Start();
        // Cancelled by Ctrl+C, or a moment after you left if the server does not end the call
        // (a server like the seed's Go one waits for the client to go): either way, you left.
        using var leave = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            await chat(UntilLeft(lines.Reader.ReadAllAsync(leave.Token), leave), line => Show(line, interactive), leave.Token);
        }
        catch (Exception ex) when (leave.IsCancellationRequested && ex is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
        {
            // Ctrl+C cancelled the call; the room takes that as leaving too.
        }
        finally
        {
            lock (ScreenLock)
            {
                left = true;
                if (interactive)
                {
                    ClearTypedLine();
                }
            }
        }
        Console.WriteLine("You left the chat.");
    }

    /// <summary>How long the server has to end the call after you leave before the client ends it.</summary>
    private static readonly TimeSpan LeaveGrace = TimeSpan.FromSeconds(3);

    /// <summary>The lines, and once the chat stops taking them (you left), a deadline for the server to end the call.</summary>
    private static async IAsyncEnumerable<string> UntilLeft(IAsyncEnumerable<string> lines, CancellationTokenSource leave, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        try
        {
            await foreach (var line in lines.WithCancellation(cancellationToken))
            {
                yield return line;
            }
        }
        finally
        {
            leave.CancelAfter(LeaveGrace);
        }
    }

    /// <summary>Prints an incoming line above the one being typed, then draws the typed line again.</summary>
    private static void Show(string line, bool interactive)
    {
        lock (ScreenLock)
        {
            if (interactive)
            {
                ClearTypedLine();
            }
            Console.WriteLine(line);
            if (interactive)
            {
                DrawTypedLine();
            }
        }
    }

    // The typed line never takes more than one row of the screen (a long one scrolls to show its
    // end), so a carriage return always reaches its start and spaces erase it. No escape codes:
    // an older Windows console would print them as text.
    private static int Room => Math.Max((Console.WindowWidth > 0 ? Console.WindowWidth : 80) - Prompt.Length - 1, 1);

    private static void ClearTypedLine() => Console.Write("\r" + new string(' ', Prompt.Length + Room) + "\r");

    private static void DrawTypedLine()
    {
        var room = Room;
        var visible = Typed.Length <= room ? Typed.ToString() : Typed.ToString(Typed.Length - room, room);
        Console.Write("\r" + Prompt + visible.PadRight(room) + "\r" + Prompt + visible);
    }

    /// <summary>Lines from a pipe or a file, until its end.</summary>
    private static void ReadLines(ChannelWriter<string> lines)
    {
        while (Console.In.ReadLine() is { } line)
        {
            if (line.Trim().Length > 0)
            {
                lines.TryWrite(line);
            }
        }
        lines.TryComplete();
    }

    /// <summary>Lines typed key by key, so the screen always knows what has been typed so far.</summary>
    private static void ReadKeys(ChannelWriter<string> lines)
    {
        lock (ScreenLock)
        {
            DrawTypedLine();
        }
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            lock (ScreenLock)
            {
                if (left)
                {
                    return;
                }
                switch (key)
                {
                    case { Key: ConsoleKey.Enter }:
                        if (Typed.ToString().Trim().Length > 0)
                        {
                            lines.TryWrite(Typed.ToString());
                        }
                        Typed.Clear();
                        break;
                    case { Key: ConsoleKey.D, Modifiers: ConsoleModifiers.Control }:
                    case { Key: ConsoleKey.Z, Modifiers: ConsoleModifiers.Control }:
                        // Ctrl+D (Ctrl+Z on Windows) on an empty line is the end of input: leave the chat.
                        if (Typed.Length == 0)
                        {
                            lines.TryComplete();
                            return;
                        }
                        break;
                    case { Key: ConsoleKey.Backspace }:
                        if (Typed.Length > 0)
                        {
                            Typed.Length--;
                        }
                        break;
                    default:
                        if (!char.IsControl(key.KeyChar))
                        {
                            Typed.Append(key.KeyChar);
                        }
                        break;
                }
                DrawTypedLine();
            }
        }
    }
}
