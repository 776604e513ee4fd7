using System.Buffers.Binary;
using Grpc.Core;
using StreamingTutorial.GrpcRuntime.Wire;

namespace StreamingTutorial.GrpcRuntime.Internals.Tests;

/// <summary>
/// Fuzzes the length-prefixed message decoder that both the server (requests) and the client
/// (responses) use. Each input is random bytes, or a valid stream of frames with mutations, fed
/// in random pieces. The decoder's answer must equal a small model of the gRPC framing rules,
/// and it must never throw anything but its own status error, never wait for bytes that cannot
/// come, and never allocate in proportion to a length it was merely told.
/// </summary>
[TestFixture]
[Category("Reliability")]
[Category("Fuzz")]
public class FrameDecoderFuzzTests
{
    private const byte PoisonByte = 0xEE;

    [Test]
    public void Random_and_mutated_frame_streams_decode_exactly_as_the_framing_rules_say()
    {
        var budget = new FuzzBudget(count: 10_000, limit: TimeSpan.FromSeconds(10));
        var outcomes = new Dictionary<string, int>();
        while (budget.Next())
        {
            var random = budget.Random;
            int? maxReceive = random.Next(4) switch
            {
                0 => null,
                1 => 1024,
                2 => 64 * 1024,
                _ => GrpcProtocol.DefaultMaxReceiveMessageSize,
            };
            var input = random.Next(10) == 0 ? RandomBytes(random, random.Next(0, 64)) : Mutate(ValidStream(random, maxReceive), random, maxReceive);
            var expected = Model(input, maxReceive);
            var step = random.Next(5) switch
            {
                0 when input.Length < 4096 => 1,
                1 when input.Length < 4096 => 7,
                2 => 64,
                3 => 4096,
                _ => Math.Max(1, input.Length),
            };

            var actual = Decode(input, maxReceive, new Random(random.Next()), step, out var allocated);

            var same = actual.End == expected.End && actual.Messages.Count == expected.Messages.Count
                && actual.Messages.Zip(expected.Messages).All(pair => pair.First.AsSpan().SequenceEqual(pair.Second));
            if (!same || allocated > 4L * input.Length + 64 * 1024)
            {
                // Only a failure pays for the description; a passing input costs microseconds.
                var replay = $"input #{budget.Tried} ({input.Length} bytes, max receive {maxReceive?.ToString() ?? "none"}, step {step}): {Hex(input)}";
                Assert.That(actual.Messages.Select(Hex), Is.EqualTo(expected.Messages.Select(Hex)), $"messages decoded from {replay}");
                Assert.That(actual.End, Is.EqualTo(expected.End), $"how decoding {replay} ended");
                Assert.That(allocated, Is.LessThanOrEqualTo(4L * input.Length + 64 * 1024), $"bytes allocated decoding {replay}");
            }
            outcomes[actual.End] = outcomes.GetValueOrDefault(actual.End) + 1;
        }
        TestContext.Out.WriteLine(budget.Summary);
        foreach (var (end, count) in outcomes.OrderByDescending(o => o.Value))
        {
            TestContext.Out.WriteLine($"  {count,6} ended: {end}");
        }
        // The generator must reach every rule, or the comparison proves little.
        Assert.That(outcomes.Keys, Is.SupersetOf(new[] { "end", "INTERNAL: The request stream ended in the middle", "INTERNAL: Invalid compressed flag",
            "INTERNAL: The request sent a compressed message", "INTERNAL: Failed to deserialize", "RESOURCE_EXHAUSTED: Received message exceeds" }),
            "outcomes the fuzzer reached");
    }

    [Test]
    public void A_length_prefix_of_2_GiB_allocates_nothing_for_it_whatever_the_limit()
    {
        foreach (var limit in new int?[] { null, 1024, GrpcProtocol.DefaultMaxReceiveMessageSize })
        {
            var input = new byte[] { 0, 0x7F, 0xFF, 0xFF, 0xFF, 1, 2, 3 };

            var result = Decode(input, limit, new Random(1), step: 1, out var allocated);

            Assert.That(result.End, Is.EqualTo(limit is null ? "INTERNAL: The request stream ended in the middle" : "RESOURCE_EXHAUSTED: Received message exceeds"), $"limit {limit}");
            Assert.That(allocated, Is.LessThan(64 * 1024), $"bytes allocated for a 2 GiB prefix with limit {limit}");
        }
    }

    /// <summary>How decoding ended: the messages, then "end" or "CODE: detail start".</summary>
    private sealed record Outcome(List<byte[]> Messages, string End);

    /// <summary>The framing rules of PROTOCOL-HTTP2, in the order the decoder applies them.</summary>
    private static Outcome Model(byte[] input, int? maxReceive)
    {
        var messages = new List<byte[]>();
        var position = 0;
        while (true)
        {
            var remaining = input.Length - position;
            if (remaining == 0)
            {
                return new Outcome(messages, "end");
            }
            if (remaining < 5)
            {
                return new Outcome(messages, "INTERNAL: The request stream ended in the middle");
            }
            var flag = input[position];
            var length = (long)BinaryPrimitives.ReadUInt32BigEndian(input.AsSpan(position + 1));
            length = Math.Min(length, int.MaxValue);
            if (length > maxReceive)
            {
                return new Outcome(messages, "RESOURCE_EXHAUSTED: Received message exceeds");
            }
            if (flag > 1)
            {
                return new Outcome(messages, "INTERNAL: Invalid compressed flag");
            }
            if (flag == 1)
            {
                return new Outcome(messages, "INTERNAL: The request sent a compressed message");
            }
            if (remaining - 5 < length)
            {
                return new Outcome(messages, "INTERNAL: The request stream ended in the middle");
            }
            var payload = input.AsSpan(position + 5, (int)length).ToArray();
            if (payload.Length > 0 && payload[0] == PoisonByte)
            {
                return new Outcome(messages, "INTERNAL: Failed to deserialize");
            }
            messages.Add(payload);
            position += 5 + (int)length;
        }
    }

    private static Outcome Decode(byte[] input, int? maxReceive, Random random, int step, out long allocated)
    {
        var pipe = new TricklePipeReader(input, random, step);
        var reader = new MessageReader<byte[]>(pipe, Deserialize, maxReceive, "request");
        var messages = new List<byte[]>(16);
        var consumedAfter = new List<long>(16);
        string end;
        var before = GC.GetAllocatedBytesForCurrentThread();
        while (true)
        {
            var pending = reader.ReadAsync(CancellationToken.None);
            if (!pending.IsCompleted)
            {
                Assert.Fail($"The decoder waits for more bytes from a finished input: it would hang. Input: {Hex(input)}");
            }
            try
            {
                var (found, message) = pending.GetAwaiter().GetResult();
                if (!found)
                {
                    end = "end";
                    break;
                }
                messages.Add(message!);
                consumedAfter.Add(pipe.Consumed);
            }
            catch (MessageReadException ex)
            {
                end = $"{Name(ex.Status.StatusCode)}: {Prefix(ex.Status.Detail)}";
                break;
            }
        }
        allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Each message consumed exactly its own frame: the next one starts where the model says.
        long frameEnd = 0;
        for (var i = 0; i < messages.Count; i++)
        {
            frameEnd += 5 + messages[i].Length;
            if (consumedAfter[i] != frameEnd)
            {
                Assert.Fail($"After message {i} the decoder had consumed {consumedAfter[i]} bytes, not {frameEnd}. Input: {Hex(input)}");
            }
        }
        return new Outcome(messages, end);
    }

    private static byte[] Deserialize(DeserializationContext context)
    {
        var payload = context.PayloadAsNewBuffer();
        if (payload.Length > 0 && payload[0] == PoisonByte)
        {
            throw new InvalidDataException("A payload the deserializer rejects.");
        }
        return payload;
    }

    private static string Name(StatusCode code) => code switch
    {
        StatusCode.Internal => "INTERNAL",
        StatusCode.ResourceExhausted => "RESOURCE_EXHAUSTED",
        _ => code.ToString(),
    };

    private static string Prefix(string detail)
    {
        foreach (var known in new[] { "The request stream ended in the middle", "Invalid compressed flag", "The request sent a compressed message", "Failed to deserialize", "Received message exceeds" })
        {
            if (detail.StartsWith(known, StringComparison.Ordinal))
            {
                return known;
            }
        }
        return detail;
    }

    private static byte[] ValidStream(Random random, int? maxReceive)
    {
        var output = new List<byte>();
        var frames = random.Next(0, 6);
        for (var i = 0; i < frames; i++)
        {
            var length = random.Next(8) switch
            {
                0 => 0,
                1 => 1,
                2 when maxReceive is { } max && max <= 64 * 1024 => max + random.Next(-1, 2),
                3 => random.Next(1000, 70_000),
                _ => random.Next(2, 64),
            };
            output.AddRange(Frame(RandomBytes(random, length)));
        }
        return output.ToArray();
    }

    private static byte[] Mutate(byte[] input, Random random, int? maxReceive)
    {
        var bytes = new List<byte>(input);
        var mutations = random.Next(0, 4);
        for (var m = 0; m < mutations; m++)
        {
            switch (random.Next(9))
            {
                case 0 when bytes.Count > 0:
                    var bit = random.Next(bytes.Count * 8);
                    bytes[bit / 8] ^= (byte)(1 << (bit % 8));
                    break;
                case 1 when bytes.Count > 0:
                    bytes[random.Next(bytes.Count)] = (byte)random.Next(256);
                    break;
                case 2 when bytes.Count > 0:
                    var cut = random.Next(bytes.Count);
                    bytes.RemoveRange(cut, bytes.Count - cut);
                    break;
                case 3:
                    bytes.AddRange(RandomBytes(random, random.Next(1, 12)));
                    break;
                case 4:
                    bytes.InsertRange(random.Next(bytes.Count + 1), RandomBytes(random, random.Next(1, 6)));
                    break;
                case 5 when bytes.Count > 0:
                    bytes[0] = (byte)(random.Next(3) == 0 ? 1 : random.Next(256));
                    break;
                case 6 when bytes.Count >= 5:
                    var length = random.Next(4) switch
                    {
                        0 => uint.MaxValue,
                        1 => (uint)int.MaxValue,
                        2 => (uint)((maxReceive ?? 1 << 20) + 1),
                        _ => (uint)random.Next(),
                    };
                    var header = new byte[4];
                    BinaryPrimitives.WriteUInt32BigEndian(header, length);
                    for (var k = 0; k < 4; k++)
                    {
                        bytes[1 + k] = header[k];
                    }
                    break;
                case 7 when bytes.Count > 5:
                    bytes[5] = PoisonByte;
                    break;
                default:
                    bytes.AddRange(Frame(RandomBytes(random, random.Next(0, 16))));
                    break;
            }
        }
        return bytes.ToArray();
    }

    private static byte[] Frame(byte[] payload)
    {
        var frame = new byte[5 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame, 5);
        return frame;
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static string Hex(byte[] input) => input.Length <= 80 ? Convert.ToHexString(input) : Convert.ToHexString(input.AsSpan(0, 80)) + $"... ({input.Length} bytes)";
}
