using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;

namespace StreamingTutorial.GrpcRuntime.Wire;

/// <summary>Constants and small codecs of gRPC over HTTP/2 (PROTOCOL-HTTP2.md).</summary>
internal static class GrpcProtocol
{
    public const string ContentType = "application/grpc";
    public const string StatusTrailer = "grpc-status";
    public const string MessageTrailer = "grpc-message";
    public const string TimeoutHeader = "grpc-timeout";
    public const string EncodingHeader = "grpc-encoding";
    public const string AcceptEncodingHeader = "grpc-accept-encoding";
    public const string IdentityEncoding = "identity";

    /// <summary>A message on the wire: 1 byte compressed flag, 4 bytes big-endian length, payload.</summary>
    public const int HeaderSize = 5;

    public const int DefaultMaxReceiveMessageSize = 4 * 1024 * 1024;

    private const int MaxTimeoutDigits = 8;

    public static bool IsGrpcContentType(string? contentType)
    {
        if (contentType is null || !contentType.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        // "application/grpc", "application/grpc+proto", "application/grpc; charset=..." are gRPC;
        // "application/grpc-web" is not.
        return contentType.Length == ContentType.Length || contentType[ContentType.Length] is '+' or ';';
    }

    public static void WriteHeader(Span<byte> destination, bool compressed, int length)
    {
        destination[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(1), (uint)length);
    }

    /// <summary>Parses a grpc-timeout value: 1 to 8 digits and a unit of H, M, S, m, u or n.</summary>
    public static bool TryParseTimeout(string? value, out TimeSpan timeout)
    {
        timeout = default;
        if (string.IsNullOrEmpty(value) || value.Length < 2 || value.Length > MaxTimeoutDigits + 1)
        {
            return false;
        }
        var digits = value.AsSpan(0, value.Length - 1);
        foreach (var c in digits)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }
        var amount = long.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        long ticks;
        switch (value[^1])
        {
            case 'H': ticks = amount * TimeSpan.TicksPerHour; break;
            case 'M': ticks = amount * TimeSpan.TicksPerMinute; break;
            case 'S': ticks = amount * TimeSpan.TicksPerSecond; break;
            case 'm': ticks = amount * TimeSpan.TicksPerMillisecond; break;
            case 'u': ticks = amount * 10; break;
            case 'n': ticks = amount / 100; break;
            default: return false;
        }
        timeout = TimeSpan.FromTicks(ticks);
        return true;
    }

    /// <summary>Formats a timeout in the finest unit whose value fits in 8 digits, rounding up.</summary>
    public static string FormatTimeout(TimeSpan timeout)
    {
        var ticks = Math.Max(timeout.Ticks, 1);
        const long maxValue = 99_999_999;
        ReadOnlySpan<(long TicksPerUnit, char Unit)> units =
        [
            (10, 'u'),
            (TimeSpan.TicksPerMillisecond, 'm'),
            (TimeSpan.TicksPerSecond, 'S'),
            (TimeSpan.TicksPerMinute, 'M'),
            (TimeSpan.TicksPerHour, 'H'),
        ];
        foreach (var (perUnit, unit) in units)
        {
            var amount = (ticks + perUnit - 1) / perUnit;
            if (amount <= maxValue)
            {
                return amount.ToString(CultureInfo.InvariantCulture) + unit;
            }
        }
        return maxValue.ToString(CultureInfo.InvariantCulture) + "H";
    }

    /// <summary>Percent-encodes a grpc-message: UTF-8 bytes outside printable ASCII, and '%', become %XX.</summary>
    public static string PercentEncode(string message)
    {
        var needsEncoding = false;
        foreach (var c in message)
        {
            if (c is < ' ' or > '~' or '%')
            {
                needsEncoding = true;
                break;
            }
        }
        if (!needsEncoding)
        {
            return message;
        }
        var bytes = Encoding.UTF8.GetBytes(message);
        var builder = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes)
        {
            if (b is < (byte)' ' or > (byte)'~' or (byte)'%')
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append((char)b);
            }
        }
        return builder.ToString();
    }

    /// <summary>Decodes a percent-encoded grpc-message; a malformed escape is kept as it is.</summary>
    public static string PercentDecode(string value)
    {
        if (!value.Contains('%'))
        {
            return value;
        }
        var bytes = new List<byte>(value.Length);
        Span<byte> buffer = stackalloc byte[4];
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '%' && i + 2 < value.Length
                && byte.TryParse(value.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var decoded))
            {
                bytes.Add(decoded);
                i += 2;
            }
            else
            {
                // Not an escape: keep the character's own UTF-8 bytes (a surrogate pair's four,
                // or U+FFFD's three for a lone surrogate, so the buffer always has room).
                var pair = i + 1 < value.Length && char.IsSurrogatePair(c, value[i + 1]);
                var written = Encoding.UTF8.GetBytes(value.AsSpan(i, pair ? 2 : 1), buffer);
                if (pair)
                {
                    i++;
                }
                for (var k = 0; k < written; k++)
                {
                    bytes.Add(buffer[k]);
                }
            }
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    /// <summary>The status a client reports for a non-200 HTTP response (doc/http-grpc-status-mapping.md).</summary>
    public static Grpc.Core.StatusCode StatusFromHttp(HttpStatusCode httpStatus) => (int)httpStatus switch
    {
        400 => Grpc.Core.StatusCode.Internal,
        401 => Grpc.Core.StatusCode.Unauthenticated,
        403 => Grpc.Core.StatusCode.PermissionDenied,
        404 => Grpc.Core.StatusCode.Unimplemented,
        429 or 502 or 503 or 504 => Grpc.Core.StatusCode.Unavailable,
        _ => Grpc.Core.StatusCode.Unknown,
    };

    /// <summary>
    /// The status a client reports when the transport fails under a call. An HTTP/2 stream reset
    /// or GOAWAY code maps as PROTOCOL-HTTP2.md's "Errors" table says (REFUSED_STREAM is
    /// UNAVAILABLE, CANCEL is CANCELLED, ENHANCE_YOUR_CALM is RESOURCE_EXHAUSTED, a protocol or
    /// internal error is INTERNAL); response headers over the client's limit are
    /// RESOURCE_EXHAUSTED; a connection that cannot be made or is lost is UNAVAILABLE, the one
    /// status that tells a caller a retry may work; anything else is INTERNAL.
    /// </summary>
    public static Grpc.Core.StatusCode StatusFromTransportError(Exception error)
    {
        if (error is OperationCanceledException)
        {
            return Grpc.Core.StatusCode.Cancelled;
        }
        var connectionLost = false;
        for (var current = error; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case HttpProtocolException protocol:
                    return StatusFromHttp2ErrorCode(protocol.ErrorCode);
                case HttpRequestException { HttpRequestError: HttpRequestError.ConfigurationLimitExceeded }:
                    return Grpc.Core.StatusCode.ResourceExhausted;
                case HttpRequestException
                {
                    HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
                        or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError or HttpRequestError.ResponseEnded,
                }:
                case IOException or SocketException:
                    connectionLost = true;
                    break;
            }
        }
        return connectionLost ? Grpc.Core.StatusCode.Unavailable : Grpc.Core.StatusCode.Internal;
    }

    private static Grpc.Core.StatusCode StatusFromHttp2ErrorCode(long errorCode) => errorCode switch
    {
        0x7 => Grpc.Core.StatusCode.Unavailable, // REFUSED_STREAM: the server did not start the call; a retry may work
        0x8 => Grpc.Core.StatusCode.Cancelled, // CANCEL
        0xB => Grpc.Core.StatusCode.ResourceExhausted, // ENHANCE_YOUR_CALM
        0xC => Grpc.Core.StatusCode.PermissionDenied, // INADEQUATE_SECURITY
        _ => Grpc.Core.StatusCode.Internal, // NO_ERROR, PROTOCOL_ERROR, INTERNAL_ERROR, COMPRESSION_ERROR, ...
    };

    /// <summary>Headers that are the protocol's own and so never appear in call metadata.</summary>
    public static bool IsReservedHeader(string key) =>
        key.Length == 0
        || key[0] == ':'
        || key.StartsWith("grpc-", StringComparison.OrdinalIgnoreCase)
        || key.Equals("content-type", StringComparison.OrdinalIgnoreCase)
        || key.Equals("te", StringComparison.OrdinalIgnoreCase)
        || key.Equals("host", StringComparison.OrdinalIgnoreCase)
        || key.Equals("content-length", StringComparison.OrdinalIgnoreCase)
        || key.Equals("transfer-encoding", StringComparison.OrdinalIgnoreCase)
        || key.Equals("connection", StringComparison.OrdinalIgnoreCase);

    /// <summary>Adds an HTTP header to metadata, decoding "-bin" values from base64; an invalid entry is skipped.</summary>
    public static void AddHeaderToMetadata(Grpc.Core.Metadata metadata, string key, string value)
    {
        try
        {
            if (key.EndsWith(Grpc.Core.Metadata.BinaryHeaderSuffix, StringComparison.OrdinalIgnoreCase))
            {
                // A binary header may repeat as a comma-separated list.
                foreach (var part in value.Split(','))
                {
                    metadata.Add(key, DecodeBase64(part.Trim()));
                }
            }
            else
            {
                metadata.Add(key, value);
            }
        }
        catch (FormatException)
        {
        }
        catch (ArgumentException)
        {
        }
    }

    /// <summary>The HTTP header value of a metadata entry: the text, or base64 of the bytes.</summary>
    public static string HeaderValue(Grpc.Core.Metadata.Entry entry) =>
        entry.IsBinary ? Convert.ToBase64String(entry.RawBytes!) : entry.Value;

    /// <summary>Decodes base64 with or without padding, as the spec asks receivers to.</summary>
    public static byte[] DecodeBase64(string value)
    {
        var padding = (4 - value.Length % 4) % 4;
        return Convert.FromBase64String(padding == 0 ? value : value + new string('=', padding));
    }

    public static int ReadLength(ReadOnlySequence<byte> header)
    {
        Span<byte> bytes = stackalloc byte[HeaderSize];
        header.Slice(0, HeaderSize).CopyTo(bytes);
        return (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(bytes.Slice(1)), int.MaxValue);
    }
}
