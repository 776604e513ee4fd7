using System.Text;
using System.Text.RegularExpressions;
using Grpc.Core;
using StreamingTutorial.GrpcRuntime.Wire;

namespace StreamingTutorial.GrpcRuntime.Internals.Tests;

/// <summary>
/// Fuzzes the parsers of what a peer puts in headers: grpc-timeout, the percent-encoded
/// grpc-message, and metadata (text and base64 "-bin" values). None may throw on any input;
/// each must agree with a plain reading of the spec.
/// </summary>
[TestFixture]
[Category("Reliability")]
[Category("Fuzz")]
public partial class HeaderParserFuzzTests
{
    private const string TimeoutAlphabet = "0123456789HMSmun-+. xX\u0660\uFF11";

    [Test]
    public void Random_and_mutated_grpc_timeouts_parse_exactly_when_they_are_1_to_8_digits_and_a_unit()
    {
        var budget = new FuzzBudget(count: 50_000, limit: TimeSpan.FromSeconds(5));
        var accepted = 0;
        while (budget.Next())
        {
            var random = budget.Random;
            var value = random.Next(3) switch
            {
                0 => RandomString(random, TimeoutAlphabet, random.Next(0, 12)),
                1 => random.NextInt64(0, 100_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture) + "HMSmun"[random.Next(6)],
                _ => Mutate(random.Next(0, 1_000_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture) + "HMSmunx"[random.Next(7)], random, TimeoutAlphabet),
            };

            bool parsed;
            TimeSpan timeout;
            try
            {
                parsed = GrpcProtocol.TryParseTimeout(value, out timeout);
            }
            catch (Exception ex)
            {
                Assert.Fail($"TryParseTimeout(\"{value}\") threw {ex.GetType().Name}: {ex.Message}");
                throw;
            }

            var expected = ModelTimeout(value);
            if (parsed != expected.HasValue || (parsed && timeout != expected!.Value))
            {
                Assert.Fail($"TryParseTimeout(\"{value}\") gave {(parsed ? timeout.ToString() : "false")}, the spec says {(expected.HasValue ? expected.Value.ToString() : "invalid")}.");
            }
            accepted += parsed ? 1 : 0;
        }
        TestContext.Out.WriteLine($"{budget.Summary}; {accepted} were valid timeouts");
        Assert.That(accepted, Is.InRange(budget.Tried / 10, budget.Tried * 9 / 10), "the inputs should mix valid and invalid timeouts");
    }

    [Test]
    public void Every_formatted_timeout_parses_back_to_at_least_the_time_it_was_made_from()
    {
        var budget = new FuzzBudget(count: 50_000, limit: TimeSpan.FromSeconds(5));
        while (budget.Next())
        {
            var random = budget.Random;
            var timeout = TimeSpan.FromTicks(random.Next(3) switch
            {
                0 => random.NextInt64(0, 10_000),
                1 => random.NextInt64(0, TimeSpan.TicksPerDay * 365),
                _ => random.NextInt64(0, TimeSpan.MaxValue.Ticks),
            });

            var text = GrpcProtocol.FormatTimeout(timeout);

            if (!GrpcProtocol.TryParseTimeout(text, out var parsed) || parsed < timeout && text != "99999999H")
            {
                Assert.Fail($"FormatTimeout({timeout.Ticks} ticks) = \"{text}\", which parses back to {(parsed == default ? "nothing" : parsed.Ticks + " ticks")}.");
            }
        }
        TestContext.Out.WriteLine(budget.Summary);
    }

    [Test]
    public void Random_grpc_messages_survive_percent_encoding_and_decoding_and_decoding_never_throws()
    {
        var budget = new FuzzBudget(count: 30_000, limit: TimeSpan.FromSeconds(5));
        while (budget.Next())
        {
            var random = budget.Random;
            var message = RandomText(random, random.Next(0, 40));

            var encoded = GrpcProtocol.PercentEncode(message);
            var decoded = GrpcProtocol.PercentDecode(encoded);
            var expected = WellFormed(message);
            if (decoded != expected || encoded.Any(c => c is < ' ' or > '~'))
            {
                Assert.Fail($"\"{Escape(message)}\" encoded as \"{encoded}\" decodes to \"{Escape(decoded)}\".");
            }

            // What arrives in a header may be anything: mutated encodings, stray '%', lone surrogates.
            var received = random.Next(2) == 0 ? Mutate(encoded, random, "%0123456789ABCDEFabcdefgz\uD800\uDC00\u00E9") : RandomText(random, random.Next(0, 20)) + "%";
            try
            {
                GrpcProtocol.PercentDecode(received);
            }
            catch (Exception ex)
            {
                Assert.Fail($"PercentDecode(\"{Escape(received)}\") threw {ex.GetType().Name}: {ex.Message}");
            }
        }
        TestContext.Out.WriteLine(budget.Summary);
    }

    [Test]
    public void Random_metadata_headers_are_added_as_the_spec_reads_them_or_skipped_but_never_throw()
    {
        var budget = new FuzzBudget(count: 30_000, limit: TimeSpan.FromSeconds(5));
        var added = 0;
        while (budget.Next())
        {
            var random = budget.Random;
            var binary = random.Next(2) == 0;
            var key = RandomString(random, "abcxyz-_.0189AZ ~", random.Next(0, 12)) + (binary ? "-bin" : "");
            var value = binary && random.Next(2) == 0
                ? Convert.ToBase64String(RandomBytes(random, random.Next(0, 20))).TrimEnd(random.Next(2) == 0 ? '=' : '\0')
                : RandomString(random, "abcAZ09+/=,- \t%\u00E9", random.Next(0, 30));
            var metadata = new Metadata();

            try
            {
                GrpcProtocol.AddHeaderToMetadata(metadata, key, value);
            }
            catch (Exception ex)
            {
                Assert.Fail($"AddHeaderToMetadata(\"{key}\", \"{Escape(value)}\") threw {ex.GetType().Name}: {ex.Message}");
            }

            if (metadata.Count > 0)
            {
                added++;
                foreach (var entry in metadata)
                {
                    if (entry.Key != key.ToLowerInvariant() || entry.IsBinary != binary)
                    {
                        Assert.Fail($"AddHeaderToMetadata(\"{key}\", \"{Escape(value)}\") added the entry \"{entry.Key}\" (binary: {entry.IsBinary}).");
                    }
                }
                if (!binary && metadata.Single().Value != value)
                {
                    Assert.Fail($"The text header \"{key}\" changed its value \"{Escape(value)}\" to \"{Escape(metadata.Single().Value)}\".");
                }
                if (binary && !value.Contains(',') && !metadata.Single().ValueBytes.SequenceEqual(Base64Bytes(value.Trim())))
                {
                    Assert.Fail($"The binary header \"{key}\" decoded \"{value}\" to the wrong bytes.");
                }
            }
        }
        TestContext.Out.WriteLine($"{budget.Summary}; {added} added, the rest skipped as invalid");
        Assert.That(added, Is.InRange(budget.Tried / 20, budget.Tried - 1), "the inputs should mix valid and invalid headers");
    }

    [TestCase(0x0L, StatusCode.Internal, TestName = "RST_STREAM NO_ERROR mid-call is INTERNAL")]
    [TestCase(0x1L, StatusCode.Internal, TestName = "RST_STREAM PROTOCOL_ERROR is INTERNAL")]
    [TestCase(0x2L, StatusCode.Internal, TestName = "RST_STREAM INTERNAL_ERROR is INTERNAL")]
    [TestCase(0x7L, StatusCode.Unavailable, TestName = "RST_STREAM REFUSED_STREAM is UNAVAILABLE")]
    [TestCase(0x8L, StatusCode.Cancelled, TestName = "RST_STREAM CANCEL is CANCELLED")]
    [TestCase(0x9L, StatusCode.Internal, TestName = "GOAWAY COMPRESSION_ERROR is INTERNAL")]
    [TestCase(0xBL, StatusCode.ResourceExhausted, TestName = "RST_STREAM ENHANCE_YOUR_CALM is RESOURCE_EXHAUSTED")]
    [TestCase(0xCL, StatusCode.PermissionDenied, TestName = "RST_STREAM INADEQUATE_SECURITY is PERMISSION_DENIED")]
    public void An_HTTP_2_error_code_maps_to_the_status_PROTOCOL_HTTP2_names(long errorCode, StatusCode expected)
    {
        var error = new HttpRequestException(HttpRequestError.HttpProtocolError, "wrapped", new HttpProtocolException(errorCode, "reset", null));

        Assert.That(GrpcProtocol.StatusFromTransportError(error), Is.EqualTo(expected));
    }

    [Test]
    public void Transport_failures_other_than_HTTP_2_codes_map_to_UNAVAILABLE_only_when_the_connection_was_lost()
    {
        Assert.Multiple(() =>
        {
            Assert.That(GrpcProtocol.StatusFromTransportError(new HttpRequestException(HttpRequestError.ConnectionError, "refused", new System.Net.Sockets.SocketException(111))),
                Is.EqualTo(StatusCode.Unavailable), "connection refused");
            Assert.That(GrpcProtocol.StatusFromTransportError(new HttpIOException(HttpRequestError.ResponseEnded, "ended")), Is.EqualTo(StatusCode.Unavailable), "connection lost");
            Assert.That(GrpcProtocol.StatusFromTransportError(new HttpRequestException(HttpRequestError.ConfigurationLimitExceeded, "headers too long")),
                Is.EqualTo(StatusCode.ResourceExhausted), "response headers over the client's limit");
            Assert.That(GrpcProtocol.StatusFromTransportError(new HttpRequestException("request headers too long")), Is.EqualTo(StatusCode.Internal), "a request the HTTP stack refuses to send");
            Assert.That(GrpcProtocol.StatusFromTransportError(new OperationCanceledException()), Is.EqualTo(StatusCode.Cancelled), "a cancelled send");
        });
    }

    /// <summary>PROTOCOL-HTTP2: TimeoutValue is 1 to 8 ASCII digits, TimeoutUnit one of H M S m u n.</summary>
    private static TimeSpan? ModelTimeout(string value)
    {
        if (!TimeoutPattern().IsMatch(value))
        {
            return null;
        }
        var amount = long.Parse(value[..^1], System.Globalization.CultureInfo.InvariantCulture);
        return value[^1] switch
        {
            'H' => TimeSpan.FromTicks(amount * TimeSpan.TicksPerHour),
            'M' => TimeSpan.FromTicks(amount * TimeSpan.TicksPerMinute),
            'S' => TimeSpan.FromTicks(amount * TimeSpan.TicksPerSecond),
            'm' => TimeSpan.FromTicks(amount * TimeSpan.TicksPerMillisecond),
            'u' => TimeSpan.FromTicks(amount * 10),
            _ => TimeSpan.FromTicks(amount / 100),
        };
    }

    [GeneratedRegex("^[0-9]{1,8}[HMSmun]$")]
    private static partial Regex TimeoutPattern();

    private static byte[] Base64Bytes(string value) => Convert.FromBase64String(value.PadRight(value.Length + (4 - value.Length % 4) % 4, '='));

    /// <summary>The string with each lone surrogate replaced by U+FFFD, as UTF-8 encoding does.</summary>
    private static string WellFormed(string text) => Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text));

    private static string RandomText(Random random, int length)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < length; i++)
        {
            builder.Append(random.Next(8) switch
            {
                0 => '%',
                1 => (char)random.Next(0, 32),
                2 => (char)random.Next(0xD800, 0xE000), // surrogates, paired or not
                3 => (char)random.Next(0x80, 0x800),
                4 => char.ConvertFromUtf32(random.Next(0x10000, 0x10FFFF))[0],
                _ => (char)random.Next(32, 127),
            });
        }
        return builder.ToString();
    }

    private static string RandomString(Random random, string alphabet, int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = alphabet[random.Next(alphabet.Length)];
        }
        return new string(chars);
    }

    private static string Mutate(string value, Random random, string alphabet)
    {
        var builder = new StringBuilder(value);
        for (var m = random.Next(1, 4); m > 0; m--)
        {
            var position = random.Next(builder.Length + 1);
            switch (random.Next(3))
            {
                case 0 when builder.Length > 0 && position < builder.Length:
                    builder.Remove(position, 1);
                    break;
                case 1 when position < builder.Length:
                    builder[position] = alphabet[random.Next(alphabet.Length)];
                    break;
                default:
                    builder.Insert(position, alphabet[random.Next(alphabet.Length)]);
                    break;
            }
        }
        return builder.ToString();
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static string Escape(string text) => string.Concat(text.Select(c => c is < ' ' or > '~' ? $"\\u{(int)c:X4}" : c.ToString()));
}
