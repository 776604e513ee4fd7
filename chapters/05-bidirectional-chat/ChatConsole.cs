using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using StreamingTutorial.Protos.Chat;

namespace StreamingTutorial.Chapter05;

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

    public static async Task RunAsync(ChatService.ChatServiceClient client, CancellationToken cancellationToken)
    {
        var interactive = !Console.IsInputRedirected && !Console.IsOutputRedirected;
        Console.WriteLine("Joined the chat. Type a message and press Enter; type 'exit' or press Ctrl+D to leave.");
        var lines = interactive ? TypedLines(cancellationToken) : PipedLines(cancellationToken);
        if (interactive)
        {
            Console.Write(Prompt);
        }
        try
        {
            await ChatClient.ChatAsync(client, lines, message => Show(ChatClient.FormatLine(message), interactive), cancellationToken);
        }
        finally
        {
            if (interactive)
            {
                ClearTypedLine();
            }
        }
        Console.WriteLine("You left the chat.");
    }

    /// <summary>Prints an incoming line above the one being typed, then puts the typed line back.</summary>
    private static void Show(string line, bool interactive)
    {
        lock (ScreenLock)
        {
            if (!interactive)
            {
                Console.WriteLine(line);
                return;
            }
            ClearTypedLine();
            Console.WriteLine(line);
            Console.Write(Prompt + Typed);
        }
    }

    private static void ClearTypedLine()
    {
        // \r goes to the start of the line; ESC[2K erases it (every current terminal, Windows included).
        Console.Write("\r\u001b[2K");
    }

    /// <summary>Lines from a pipe or file, until its end.</summary>
    private static async IAsyncEnumerable<string> PipedLines([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (await Console.In.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length > 0)
            {
                yield return line;
            }
        }
    }

    /// <summary>Lines typed key by key, so the screen always knows what has been typed so far.</summary>
    private static async IAsyncEnumerable<string> TypedLines([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var lines = Channel.CreateUnbounded<string>();
        // Console.ReadKey blocks, so it runs on its own thread; a background thread never keeps the program alive.
        var reader = new Thread(() => ReadKeys(lines.Writer)) { IsBackground = true, Name = "chat keyboard" };
        reader.Start();
        await foreach (var line in lines.Reader.ReadAllAsync(cancellationToken))
        {
            yield return line;
        }
    }

    private static void ReadKeys(ChannelWriter<string> lines)
    {
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            lock (ScreenLock)
            {
                switch (key)
                {
                    case { Key: ConsoleKey.Enter }:
                        var line = Typed.ToString();
                        Typed.Clear();
                        Console.Write("\r\u001b[2K" + Prompt);
                        if (line.Trim().Length > 0)
                        {
                            lines.TryWrite(line);
                        }
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
                            Console.Write("\b \b");
                        }
                        break;
                    default:
                        if (!char.IsControl(key.KeyChar))
                        {
                            Typed.Append(key.KeyChar);
                            Console.Write(key.KeyChar);
                        }
                        break;
                }
            }
        }
    }
}
