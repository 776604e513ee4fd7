using System.Buffers;
using System.IO.Pipelines;

namespace StreamingTutorial.GrpcRuntime.Internals.Tests;

/// <summary>
/// A PipeReader over bytes that arrive a few at a time, in buffers of random sizes (so a frame
/// header or payload is split across segments). It answers synchronously, so a reader that
/// would wait for data that never comes, or spin without progress, is caught instead of hanging.
/// </summary>
internal sealed class TricklePipeReader : PipeReader
{
    private readonly ReadOnlySequence<byte> all;
    private readonly Random random;
    private readonly int maxStep;
    private long revealed;
    private long consumed;
    private bool examinedAll = true;
    private int idleReadsAtEnd;

    public TricklePipeReader(byte[] input, Random random, int maxStep)
    {
        this.random = random;
        this.maxStep = maxStep;
        all = Segments(input, random);
    }

    /// <summary>How far the reader has consumed, in bytes from the start.</summary>
    public long Consumed => consumed;

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (examinedAll && revealed < all.Length)
        {
            revealed = Math.Min(all.Length, revealed + random.Next(1, maxStep + 1));
            idleReadsAtEnd = 0;
        }
        else if (revealed == all.Length && ++idleReadsAtEnd > 2)
        {
            throw new InvalidOperationException("The reader keeps reading a completed pipe without consuming anything: it would spin for ever.");
        }
        var buffer = all.Slice(consumed, revealed - consumed);
        return new ValueTask<ReadResult>(new ReadResult(buffer, isCanceled: false, isCompleted: revealed == all.Length));
    }

    public override bool TryRead(out ReadResult result) => throw new NotSupportedException();

    public override void AdvanceTo(SequencePosition consumedPosition) => AdvanceTo(consumedPosition, consumedPosition);

    public override void AdvanceTo(SequencePosition consumedPosition, SequencePosition examinedPosition)
    {
        var newConsumed = all.GetOffset(consumedPosition);
        var examined = all.GetOffset(examinedPosition);
        if (newConsumed < consumed || examined < newConsumed || examined > revealed)
        {
            throw new InvalidOperationException($"AdvanceTo out of order: consumed {consumed} -> {newConsumed}, examined {examined}, revealed {revealed}.");
        }
        if (newConsumed > consumed)
        {
            idleReadsAtEnd = 0;
        }
        consumed = newConsumed;
        examinedAll = examined == revealed;
    }

    public override void CancelPendingRead() => throw new NotSupportedException();

    public override void Complete(Exception? exception = null)
    {
    }

    /// <summary>The input as a chain of buffers of random sizes.</summary>
    private static ReadOnlySequence<byte> Segments(byte[] input, Random random)
    {
        if (input.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }
        Segment? first = null;
        Segment? last = null;
        for (var offset = 0; offset < input.Length;)
        {
            // Mostly small buffers, so headers and payloads straddle them; some large, so long inputs stay cheap.
            var length = Math.Min(input.Length - offset, random.Next(3) == 0 ? random.Next(1, 8192) : random.Next(1, 24));
            var segment = new Segment(input.AsMemory(offset, length));
            if (last is null)
            {
                first = segment;
            }
            else
            {
                last.Append(segment);
            }
            last = segment;
            offset += length;
        }
        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory)
        {
            Memory = memory;
        }

        public void Append(Segment next)
        {
            next.RunningIndex = RunningIndex + Memory.Length;
            Next = next;
        }
    }
}
