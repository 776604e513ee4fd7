using System.Text;

namespace StreamingTutorial.Reliability.Tests.Infrastructure;

/// <summary>
/// Just enough HPACK (RFC 7541) for a test client: it encodes header fields as literals
/// without indexing and without Huffman coding, and decodes what Kestrel sends (indexed
/// fields, literals, the dynamic table). Huffman-coded strings are not decoded.
/// </summary>
internal sealed class HpackDecoder
{
    private static readonly (string Name, string Value)[] StaticTable =
    [
        (":authority", ""), (":method", "GET"), (":method", "POST"), (":path", "/"), (":path", "/index.html"),
        (":scheme", "http"), (":scheme", "https"), (":status", "200"), (":status", "204"), (":status", "206"),
        (":status", "304"), (":status", "400"), (":status", "404"), (":status", "500"), ("accept-charset", ""),
        ("accept-encoding", "gzip, deflate"), ("accept-language", ""), ("accept-ranges", ""), ("accept", ""),
        ("access-control-allow-origin", ""), ("age", ""), ("allow", ""), ("authorization", ""), ("cache-control", ""),
        ("content-disposition", ""), ("content-encoding", ""), ("content-language", ""), ("content-length", ""),
        ("content-location", ""), ("content-range", ""), ("content-type", ""), ("cookie", ""), ("date", ""),
        ("etag", ""), ("expect", ""), ("expires", ""), ("from", ""), ("host", ""), ("if-match", ""),
        ("if-modified-since", ""), ("if-none-match", ""), ("if-range", ""), ("if-unmodified-since", ""),
        ("last-modified", ""), ("link", ""), ("location", ""), ("max-forwards", ""), ("proxy-authenticate", ""),
        ("proxy-authorization", ""), ("range", ""), ("referer", ""), ("refresh", ""), ("retry-after", ""),
        ("server", ""), ("set-cookie", ""), ("strict-transport-security", ""), ("transfer-encoding", ""),
        ("user-agent", ""), ("vary", ""), ("via", ""), ("www-authenticate", ""),
    ];

    // Newest first, as HPACK numbers them.
    private readonly List<(string Name, string Value)> dynamicTable = new();
    private int dynamicSize;
    private int maxDynamicSize = 4096;

    public List<(string Name, string Value)> Decode(ReadOnlySpan<byte> block)
    {
        var fields = new List<(string, string)>();
        var i = 0;
        while (i < block.Length)
        {
            var b = block[i];
            if ((b & 0x80) != 0)
            {
                fields.Add(Lookup((int)ReadInteger(block, ref i, 7)));
            }
            else if ((b & 0xC0) == 0x40)
            {
                var field = ReadLiteral(block, ref i, 6);
                AddToDynamicTable(field);
                fields.Add(field);
            }
            else if ((b & 0xE0) == 0x20)
            {
                maxDynamicSize = (int)ReadInteger(block, ref i, 5);
                Evict();
            }
            else
            {
                fields.Add(ReadLiteral(block, ref i, 4));
            }
        }
        return fields;
    }

    private (string Name, string Value) ReadLiteral(ReadOnlySpan<byte> block, ref int i, int prefixBits)
    {
        var index = (int)ReadInteger(block, ref i, prefixBits);
        var name = index == 0 ? ReadString(block, ref i) : Lookup(index).Name;
        return (name, ReadString(block, ref i));
    }

    private (string Name, string Value) Lookup(int index)
    {
        if (index >= 1 && index <= StaticTable.Length)
        {
            return StaticTable[index - 1];
        }
        var dynamicIndex = index - StaticTable.Length - 1;
        if (dynamicIndex < 0 || dynamicIndex >= dynamicTable.Count)
        {
            throw new InvalidDataException($"HPACK index {index} is not in the table.");
        }
        return dynamicTable[dynamicIndex];
    }

    private void AddToDynamicTable((string Name, string Value) field)
    {
        dynamicTable.Insert(0, field);
        dynamicSize += field.Name.Length + field.Value.Length + 32;
        Evict();
    }

    private void Evict()
    {
        while (dynamicSize > maxDynamicSize && dynamicTable.Count > 0)
        {
            var last = dynamicTable[^1];
            dynamicTable.RemoveAt(dynamicTable.Count - 1);
            dynamicSize -= last.Name.Length + last.Value.Length + 32;
        }
    }

    private static string ReadString(ReadOnlySpan<byte> block, ref int i)
    {
        var huffman = (block[i] & 0x80) != 0;
        var length = (int)ReadInteger(block, ref i, 7);
        var bytes = block.Slice(i, length);
        i += length;
        return huffman ? "(huffman)" : Encoding.Latin1.GetString(bytes);
    }

    private static long ReadInteger(ReadOnlySpan<byte> block, ref int i, int prefixBits)
    {
        var mask = (1 << prefixBits) - 1;
        long value = block[i++] & mask;
        if (value < mask)
        {
            return value;
        }
        var shift = 0;
        byte next;
        do
        {
            next = block[i++];
            value += (long)(next & 0x7F) << shift;
            shift += 7;
        }
        while ((next & 0x80) != 0);
        return value;
    }
}

internal static class HpackEncoder
{
    /// <summary>Each field as a literal without indexing, new name, no Huffman coding.</summary>
    public static byte[] Encode(IEnumerable<(string Name, string Value)> fields)
    {
        var output = new List<byte>();
        foreach (var (name, value) in fields)
        {
            output.Add(0x00);
            WriteString(output, name);
            WriteString(output, value);
        }
        return output.ToArray();
    }

    private static void WriteString(List<byte> output, string text)
    {
        var bytes = Encoding.Latin1.GetBytes(text);
        WriteInteger(output, bytes.Length, 7, 0x00);
        output.AddRange(bytes);
    }

    private static void WriteInteger(List<byte> output, long value, int prefixBits, byte flags)
    {
        var max = (1 << prefixBits) - 1;
        if (value < max)
        {
            output.Add((byte)(flags | value));
            return;
        }
        output.Add((byte)(flags | max));
        value -= max;
        while (value >= 0x80)
        {
            output.Add((byte)(value % 0x80 + 0x80));
            value /= 0x80;
        }
        output.Add((byte)value);
    }
}
