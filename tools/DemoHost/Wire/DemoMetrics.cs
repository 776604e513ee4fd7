using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Diagnostics.Tracing;
using System.Globalization;

namespace StreamingTutorial.DemoHost.Wire;

/// <summary>
/// <c>--metrics</c>: grpc-dotnet's own counters (the "Grpc.AspNetCore.Server" event counters
/// that <c>dotnet-counters monitor</c> shows: calls started, in progress, failed, past their
/// deadline, messages sent and received) and ASP.NET Core's request metric, which grpc-dotnet
/// tags with each call's method and status. Printed every interval in which something changed.
/// In-process, so it needs no tool installed; the book shows dotnet-counters for the real thing.
/// </summary>
public sealed class DemoMetrics : EventListener
{
    public const string GrpcServerEventSource = "Grpc.AspNetCore.Server";
    public const string HostingMeter = "Microsoft.AspNetCore.Hosting";

    private readonly TextWriter output;
    private readonly int intervalSeconds;
    private readonly ConcurrentDictionary<string, double> counters = new();
    private readonly ConcurrentDictionary<string, long> finished = new();
    private readonly MeterListener meters = new();
    private string lastPrinted = "";

    public DemoMetrics(TextWriter output, int intervalSeconds)
    {
        this.output = output;
        this.intervalSeconds = intervalSeconds;
        meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == HostingMeter && instrument.Name == "http.server.request.duration")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        meters.SetMeasurementEventCallback<double>((instrument, value, tags, state) =>
        {
            string? route = null, status = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "grpc.method" || (tag.Key == "http.route" && route is null))
                {
                    route = tag.Value?.ToString();
                }
                else if (tag.Key == "grpc.status")
                {
                    status = tag.Value?.ToString();
                }
            }
            finished.AddOrUpdate($"{route ?? "?"} {(status is null ? "" : $"status {status}")}".Trim(), 1, (_, n) => n + 1);
        });
        meters.Start();
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == GrpcServerEventSource)
        {
            EnableEvents(eventSource, EventLevel.Verbose, EventKeywords.All, new Dictionary<string, string?>
            {
                ["EventCounterIntervalSec"] = intervalSeconds.ToString(CultureInfo.InvariantCulture),
            });
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName != "EventCounters" || eventData.Payload is not { Count: > 0 } || eventData.Payload[0] is not IDictionary<string, object> payload)
        {
            return;
        }
        var name = payload.TryGetValue("Name", out var n) ? n?.ToString() ?? "" : "";
        var value = payload.TryGetValue("Mean", out var mean) ? Convert.ToDouble(mean, CultureInfo.InvariantCulture)
            : payload.TryGetValue("Increment", out var increment) ? Convert.ToDouble(increment, CultureInfo.InvariantCulture) : 0;
        counters[name] = value;
        // The counters arrive one event each, every interval; print once the last of them is in.
        if (name == "calls-unimplemented")
        {
            Print();
        }
    }

    private void Print()
    {
        string[] order = ["total-calls", "current-calls", "calls-failed", "calls-deadline-exceeded", "messages-received", "messages-sent", "calls-unimplemented"];
        var text = string.Join(", ", order.Where(counters.ContainsKey).Select(k => $"{k} {counters[k]:0}"));
        var perMethod = string.Join("; ", finished.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key}: {f.Value}"));
        var block = $"{text}\n  finished calls by method: {(perMethod.Length > 0 ? perMethod : "none yet")}";
        if (block == lastPrinted)
        {
            return;
        }
        lastPrinted = block;
        lock (output)
        {
            output.WriteLine($"metrics {DateTime.Now:HH:mm:ss} {GrpcServerEventSource}: {block}");
            output.Flush();
        }
    }

    public override void Dispose()
    {
        meters.Dispose();
        base.Dispose();
    }
}
