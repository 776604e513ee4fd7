namespace Grpc.AspNetCore.Server;

/// <summary>Options for the gRPC services of an ASP.NET Core app.</summary>
public class GrpcServiceOptions
{
    /// <summary>The largest message a service may send, in bytes; null for no limit (the default).</summary>
    public int? MaxSendMessageSize { get; set; }

    /// <summary>The largest message a service accepts, in bytes; 4 MiB by default, null for no limit.</summary>
    public int? MaxReceiveMessageSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>Whether a handler's exception text reaches the client. Off by default: the client gets a generic message.</summary>
    public bool? EnableDetailedErrors { get; set; }

    /// <summary>Whether a call to a service that is not mapped falls through to the app (404) instead of UNIMPLEMENTED.</summary>
    public bool? IgnoreUnknownServices { get; set; }

    internal void CopyTo(GrpcServiceOptions other)
    {
        other.MaxSendMessageSize = MaxSendMessageSize;
        other.MaxReceiveMessageSize = MaxReceiveMessageSize;
        other.EnableDetailedErrors = EnableDetailedErrors;
        other.IgnoreUnknownServices = IgnoreUnknownServices;
    }
}

/// <summary>Options for one service; unset values come from <see cref="GrpcServiceOptions"/>.</summary>
public class GrpcServiceOptions<TService> : GrpcServiceOptions
    where TService : class
{
}
