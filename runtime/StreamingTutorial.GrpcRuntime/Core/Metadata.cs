using System.Collections;
using System.Text;

namespace Grpc.Core;

/// <summary>
/// Call headers or trailers: an ordered list of key/value entries. Keys are case-insensitive
/// (kept lower-case); a key ending in "-bin" holds bytes, any other key holds printable ASCII.
/// </summary>
public sealed class Metadata : IList<Metadata.Entry>
{
    /// <summary>The suffix that marks a binary entry.</summary>
    public const string BinaryHeaderSuffix = "-bin";

    /// <summary>An empty, read-only instance.</summary>
    public static readonly Metadata Empty = new Metadata().Freeze();

    private readonly List<Entry> entries = new();
    private bool readOnly;

    public Metadata()
    {
    }

    internal Metadata Freeze()
    {
        readOnly = true;
        return this;
    }

    /// <summary>The last entry with the key, or null.</summary>
    public Entry? Get(string key)
    {
        var normalized = NormalizeKey(key);
        for (var i = entries.Count - 1; i >= 0; i--)
        {
            if (entries[i].Key == normalized)
            {
                return entries[i];
            }
        }
        return null;
    }

    /// <summary>The text value of the last entry with the key, or null.</summary>
    public string? GetValue(string key)
    {
        var entry = Get(key);
        return entry is null ? null : entry.Value;
    }

    /// <summary>The bytes of the last binary entry with the key, or null.</summary>
    public byte[]? GetValueBytes(string key)
    {
        var entry = Get(key);
        return entry is null ? null : entry.ValueBytes;
    }

    /// <summary>Every entry with the key, in order.</summary>
    public IEnumerable<Entry> GetAll(string key)
    {
        var normalized = NormalizeKey(key);
        foreach (var entry in entries)
        {
            if (entry.Key == normalized)
            {
                yield return entry;
            }
        }
    }

    public void Add(string key, string value) => Add(new Entry(key, value));

    public void Add(string key, byte[] valueBytes) => Add(new Entry(key, valueBytes));

    public void Add(Entry item)
    {
        ArgumentNullException.ThrowIfNull(item);
        CheckWritable();
        entries.Add(item);
    }

    public int IndexOf(Entry item) => entries.IndexOf(item);

    public void Insert(int index, Entry item)
    {
        ArgumentNullException.ThrowIfNull(item);
        CheckWritable();
        entries.Insert(index, item);
    }

    public void RemoveAt(int index)
    {
        CheckWritable();
        entries.RemoveAt(index);
    }

    public Entry this[int index]
    {
        get => entries[index];
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            CheckWritable();
            entries[index] = value;
        }
    }

    public void Clear()
    {
        CheckWritable();
        entries.Clear();
    }

    public bool Contains(Entry item) => entries.Contains(item);

    public void CopyTo(Entry[] array, int arrayIndex) => entries.CopyTo(array, arrayIndex);

    public int Count => entries.Count;

    public bool IsReadOnly => readOnly;

    public bool Remove(Entry item)
    {
        CheckWritable();
        return entries.Remove(item);
    }

    public IEnumerator<Entry> GetEnumerator() => entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => entries.GetEnumerator();

    public override string ToString() => "[" + string.Join(", ", entries) + "]";

    private void CheckWritable()
    {
        if (readOnly)
        {
            throw new InvalidOperationException("Metadata is read-only.");
        }
    }

    internal static string NormalizeKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var normalized = key.ToLowerInvariant();
        if (normalized.Length == 0)
        {
            throw new ArgumentException("Metadata key must not be empty.", nameof(key));
        }
        foreach (var c in normalized)
        {
            // The gRPC spec allows 0-9 a-z _ - . in keys.
            var valid = c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-' or '_' or '.';
            if (!valid)
            {
                throw new ArgumentException($"Metadata key '{key}' contains the invalid character '{c}'. Keys may only contain a-z, 0-9, '-', '_' and '.'.", nameof(key));
            }
        }
        return normalized;
    }

    internal static bool IsBinaryKey(string key) => key.EndsWith(BinaryHeaderSuffix, StringComparison.OrdinalIgnoreCase);

    /// <summary>One metadata entry.</summary>
    public sealed class Entry
    {
        private readonly string? value;
        private readonly byte[]? valueBytes;

        public Entry(string key, string value)
        {
            Key = NormalizeKey(key);
            ArgumentNullException.ThrowIfNull(value);
            if (IsBinaryKey(Key))
            {
                throw new ArgumentException($"Key '{Key}' ends in '-bin' and so needs a byte[] value.", nameof(key));
            }
            foreach (var c in value)
            {
                if (c < 0x20 || c > 0x7E)
                {
                    throw new ArgumentException($"The value of metadata entry '{Key}' must be printable ASCII; use a '-bin' key for other data.", nameof(value));
                }
            }
            this.value = value;
        }

        public Entry(string key, byte[] valueBytes)
        {
            Key = NormalizeKey(key);
            ArgumentNullException.ThrowIfNull(valueBytes);
            if (!IsBinaryKey(Key))
            {
                throw new ArgumentException($"Key '{Key}' holds bytes and so must end in '-bin'.", nameof(key));
            }
            this.valueBytes = valueBytes;
        }

        public string Key { get; }

        /// <summary>The text value. Throws for a binary entry.</summary>
        public string Value => value ?? throw new InvalidOperationException($"Entry '{Key}' is binary: read ValueBytes instead.");

        /// <summary>The bytes of the value: a copy for a binary entry, the ASCII bytes for text.</summary>
        public byte[] ValueBytes => valueBytes is null ? Encoding.ASCII.GetBytes(value!) : (byte[])valueBytes.Clone();

        public bool IsBinary => valueBytes is not null;

        internal byte[]? RawBytes => valueBytes;

        public override string ToString() => IsBinary
            ? $"[Entry: key={Key}, valueBytes={Convert.ToHexString(valueBytes!)}]"
            : $"[Entry: key={Key}, value={value}]";
    }
}
