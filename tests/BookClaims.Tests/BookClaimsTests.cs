using System.Net;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using StreamingTutorial.Protos.Chat;
using StreamingTutorial.Protos.Files;
using StreamingTutorial.Protos.Streaming;
using StreamingTutorial.Protos.Uploader;

namespace StreamingTutorial.BookClaims.Tests;

/// <summary>
/// Each behaviour of gRPC that book.md states, as one test named after the claim, on the
/// official packages over real Kestrel. The chapter each claim is made in is in the category.
/// </summary>
[TestFixture]
[Category("BookClaims")]
[Parallelizable(ParallelScope.Children)]
public class BookClaimsTests
{
    private const int MiB = 1024 * 1024;

    // ---------------------------------------------------------------- chapter 1: unary

    [Test]
    [Category("Book:Chapter01")]
    public async Task A_unary_call_is_one_HTTP2_stream_whose_status_comes_last_in_the_trailers()
    {
        await using var host = await ClaimHost.StartAsync(new Handlers { Unary = (r, _) => Task.FromResult(new HelloReply { Message = "Hello, " + r.Name }) });
        using var http = new HttpClient();

        using var response = await SendRawAsync(http, host.Address, "/fileservice.FileService/SayHello", new HelloRequest { Name = "Ada" });
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Multiple(() =>
        {
            Assert.That(response.Version, Is.EqualTo(HttpVersion.Version20), "HTTP version");
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), ":status");
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/grpc"), "content-type");
            Assert.That(response.Headers.Contains("grpc-status"), Is.False, "grpc-status among the headers");
            Assert.That(response.TrailingHeaders.GetValues("grpc-status"), Is.EqualTo(new[] { "0" }), "grpc-status in the trailers");
            Assert.That(HelloReply.Parser.ParseFrom(body.AsSpan(5)).Message, Is.EqualTo("Hello, Ada"), "the one length-prefixed message");
            Assert.That(body.Length, Is.EqualTo(5 + (body[1] << 24 | body[2] << 16 | body[3] << 8 | body[4])), "the 5-byte prefix gives the message's length");
        });
    }

    [Test]
    [Category("Book:Chapter01")]
    public async Task A_server_that_fails_before_sending_anything_answers_trailers_only()
    {
        await using var host = await ClaimHost.StartAsync(new Handlers { Unary = (_, _) => throw new RpcException(new Status(StatusCode.InvalidArgument, "no")) });
        using var http = new HttpClient();

        using var response = await SendRawAsync(http, host.Address, "/fileservice.FileService/SayHello", new HelloRequest { Name = "" });
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Multiple(() =>
        {
            Assert.That(response.Headers.GetValues("grpc-status"), Is.EqualTo(new[] { "3" }), "grpc-status in the one HEADERS frame");
            Assert.That(body, Is.Empty, "no message");
            Assert.That(response.TrailingHeaders, Is.Empty, "no separate trailers");
        });
    }

    [Test]
    [Category("Book:Chapter01")]
    public async Task An_RpcException_thrown_by_a_handler_reaches_the_client_with_exactly_its_code_and_message()
    {
        await using var host = await ClaimHost.StartAsync(new Handlers { Unary = (_, _) => throw new RpcException(new Status(StatusCode.InvalidArgument, "Name is required.")) });

        var ex = await Bounded.RpcFailure(() => host.Files.SayHelloAsync(new HelloRequest()).ResponseAsync, "SayHello");

        Assert.That((ex.StatusCode, ex.Status.Detail), Is.EqualTo((StatusCode.InvalidArgument, "Name is required.")));
    }

    [TestCase(false)]
    [TestCase(true)]
    [Category("Book:Chapter01")]
    public async Task Any_other_exception_becomes_UNKNOWN_with_a_generic_message_unless_detailed_errors_are_on(bool detailedErrors)
    {
        await using var host = await ClaimHost.StartAsync(
            new Handlers { Unary = (_, _) => throw new IOException("/srv/secret/path is full") }, detailedErrors);

        var ex = await Bounded.RpcFailure(() => host.Files.SayHelloAsync(new HelloRequest { Name = "x" }).ResponseAsync, "SayHello");

        Assert.That(ex.StatusCode, Is.EqualTo(StatusCode.Unknown), "status code");
        if (detailedErrors)
        {
            Assert.That(ex.Status.Detail, Is.EqualTo("Exception was thrown by handler. IOException: /srv/secret/path is full"), "detail with EnableDetailedErrors");
        }
        else
        {
            Assert.That(ex.Status.Detail, Is.EqualTo("Exception was thrown by handler."), "detail without EnableDetailedErrors: nothing of the exception");
        }
    }

    [Test]
    [Category("Book:Chapter01")]
    public async Task A_deadline_travels_to_the_server_as_the_grpc_timeout_header_and_becomes_its_Deadline()
    {
        var seen = new TaskCompletionSource<DateTime>();
        var handlers = new Handlers { Unary = (_, context) => { seen.TrySetResult(context.Deadline); return Task.FromResult(new HelloReply()); } };
        await using var host = await ClaimHost.StartAsync(handlers);
        var deadline = DateTime.UtcNow.AddSeconds(30);

        await host.Files.SayHelloAsync(new HelloRequest { Name = "x" }, deadline: deadline).ResponseAsync.Within("SayHello");
        var serverDeadline = await seen.Task;

        Assert.Multiple(() =>
        {
            Assert.That(handlers.LastHttpHeaders?["grpc-timeout"].ToString(), Does.Match("^[0-9]{1,8}[HMSmun]$"), "the grpc-timeout request header");
            Assert.That(serverDeadline, Is.EqualTo(deadline).Within(TimeSpan.FromSeconds(2)), "ServerCallContext.Deadline");
        });
    }

    [Test]
    [Category("Book:Chapter01")]
    public async Task When_the_deadline_passes_the_client_gets_DEADLINE_EXCEEDED_and_the_handlers_token_fires()
    {
        var handlerCancelled = new TaskCompletionSource();
        await using var host = await ClaimHost.StartAsync(new Handlers
        {
            Unary = async (_, context) =>
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, context.CancellationToken);
                }
                catch (OperationCanceledException)
                {
                    handlerCancelled.TrySetResult();
                    throw;
                }
                return new HelloReply();
            },
        });

        var ex = await Bounded.RpcFailure(() => host.Files.SayHelloAsync(new HelloRequest { Name = "x" }, deadline: DateTime.UtcNow.AddMilliseconds(300)).ResponseAsync, "a call to a handler that never answers");

        Assert.That(ex.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded), "the client's status");
        await handlerCancelled.Task.Within("the handler's CancellationToken to fire");
    }

    [Test]
    [Category("Book:Chapter01")]
    public async Task Headers_the_client_sends_reach_the_handler_and_trailers_the_handler_adds_reach_the_client()
    {
        await using var host = await ClaimHost.StartAsync(new Handlers
        {
            Unary = (_, context) =>
            {
                context.ResponseTrailers.Add("x-echo", context.RequestHeaders.GetValue("x-learner") ?? "(none)");
                return Task.FromResult(new HelloReply());
            },
        });

        using var call = host.Files.SayHelloAsync(new HelloRequest { Name = "x" }, headers: new Metadata { { "x-learner", "ada" } });
        await call.ResponseAsync.Within("SayHello");

        Assert.That(call.GetTrailers().GetValue("x-echo"), Is.EqualTo("ada"), "the trailer that echoes the request header");
    }

    [Test]
    [Category("Book:Chapter01")]
    public void Timestamp_FromDateTime_accepts_only_UTC_times()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => Timestamp.FromDateTime(DateTime.Now), Throws.ArgumentException, "DateTime.Now (local)");
            Assert.That(() => Timestamp.FromDateTime(DateTime.UtcNow), Throws.Nothing, "DateTime.UtcNow");
        });
    }

    // ---------------------------------------------------------------- chapter 2: server streaming

    [Test]
    [Category("Book:Chapter02")]
    public async Task Disposing_a_server_streaming_call_fires_the_servers_CancellationToken()
    {
        var cancelled = new TaskCompletionSource();
        await using var host = await ClaimHost.StartAsync(new Handlers { ServerStreaming = (_, writer, context) => EndlessAsync(writer, context, cancelled) });

        var call = host.Times.GetTimeUpdates(new TimeUpdatesRequest());
        Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None).Within("the first update"), Is.True, "the first update");
        call.Dispose();

        await cancelled.Task.Within("the handler's CancellationToken to fire after the client disposed the call");
    }

    [TestCase("the call")]
    [TestCase("ReadAllAsync")]
    [Category("Book:Chapter02")]
    public async Task Cancelling_the_token_given_to_the_call_or_to_ReadAllAsync_makes_the_pending_read_throw_CANCELLED_and_fires_the_servers_token(string where)
    {
        var cancelled = new TaskCompletionSource();
        await using var host = await ClaimHost.StartAsync(new Handlers { ServerStreaming = (_, writer, context) => EndlessAsync(writer, context, cancelled) });
        using var cancel = new CancellationTokenSource();
        using var call = host.Times.GetTimeUpdates(new TimeUpdatesRequest(), cancellationToken: where == "the call" ? cancel.Token : default);
        var first = new TaskCompletionSource();

        var reading = Task.Run(async () =>
        {
            await foreach (var _ in call.ResponseStream.ReadAllAsync(where == "ReadAllAsync" ? cancel.Token : default))
            {
                first.TrySetResult();
            }
        });
        await first.Task.Within("the first update");
        await cancel.CancelAsync();

        var ex = await Bounded.RpcFailure(() => reading, "the read after the token was cancelled");
        Assert.That(ex.StatusCode, Is.EqualTo(StatusCode.Cancelled), $"status after cancelling the token given to {where}");
        await cancelled.Task.Within("the handler's CancellationToken to fire");
    }

    [Test]
    [Category("Book:Chapter02")]
    public async Task Breaking_out_of_await_foreach_leaves_the_call_open_and_the_server_writing()
    {
        var cancelled = new TaskCompletionSource();
        var goOn = new TaskCompletionSource();
        var wroteMore = new TaskCompletionSource();
        await using var host = await ClaimHost.StartAsync(new Handlers
        {
            ServerStreaming = async (_, writer, context) =>
            {
                // Not disposed with the handler: Kestrel may fire the token just after a failed write has ended it.
                context.CancellationToken.Register(() => cancelled.TrySetResult());
                await writer.WriteAsync(new TimeUpdate { Sequence = 1 });
                await goOn.Task.WaitAsync(context.CancellationToken);
                for (var i = 2; i <= 5; i++)
                {
                    await writer.WriteAsync(new TimeUpdate { Sequence = i });
                }
                wroteMore.TrySetResult();
                await Task.Delay(Timeout.Infinite, context.CancellationToken);
            },
        });
        var call = host.Times.GetTimeUpdates(new TimeUpdatesRequest());

        await foreach (var update in call.ResponseStream.ReadAllAsync())
        {
            break;
        }
        goOn.SetResult();

        await wroteMore.Task.Within("the server's next four writes, after the client broke out of its loop");
        Assert.That(cancelled.Task.IsCompleted, Is.False, "the handler's token fired although the call was never disposed");
        call.Dispose();
        await cancelled.Task.Within("the handler's token, once the call is disposed");
    }

    [Test]
    [Category("Book:Chapter02")]
    public async Task A_deadline_covers_the_whole_stream_which_ends_with_DEADLINE_EXCEEDED_after_the_messages_that_came_in_time()
    {
        await using var host = await ClaimHost.StartAsync(new Handlers
        {
            ServerStreaming = async (_, writer, context) =>
            {
                for (var i = 1; ; i++)
                {
                    await writer.WriteAsync(new TimeUpdate { Sequence = i });
                    await Task.Delay(100, context.CancellationToken);
                }
            },
        });
        var received = new List<long>();

        var ex = await Bounded.RpcFailure(async () =>
        {
            using var call = host.Times.GetTimeUpdates(new TimeUpdatesRequest(), deadline: DateTime.UtcNow.AddSeconds(2));
            await foreach (var update in call.ResponseStream.ReadAllAsync())
            {
                received.Add(update.Sequence);
            }
        }, "a stream that outlasts its deadline");

        Assert.Multiple(() =>
        {
            Assert.That(ex.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded), "how the stream ends");
            Assert.That(received, Is.Not.Empty.And.EqualTo(Enumerable.Range(1, received.Count).Select(i => (long)i)), "the messages read before the deadline, in order");
        });
    }

    [Test]
    [Category("Book:Chapter02")]
    public async Task A_stream_takes_one_write_at_a_time()
    {
        var outcome = new TaskCompletionSource<Exception?>();
        await using var host = await ClaimHost.StartAsync(new Handlers
        {
            Duplex = async (_, responses, context) =>
            {
                // 1 MiB cannot pass HTTP/2 flow control before the client reads, so the first write is still in flight.
                var first = responses.WriteAsync(new ChatMessage { Text = new string('x', MiB) });
                try
                {
                    await responses.WriteAsync(new ChatMessage { Text = "second" });
                    outcome.TrySetResult(null);
                }
                catch (Exception ex)
                {
                    outcome.TrySetResult(ex);
                }
                await first.WaitAsync(context.CancellationToken);
            },
        });

        using var call = host.Chat.JoinChat();
        var error = await outcome.Task.Within("the second write's outcome");

        Assert.That(error, Is.InstanceOf<InvalidOperationException>().With.Message.Contains("previous write is in progress"), "a write started while another is in flight");
    }

    // ---------------------------------------------------------------- chapters 3 and 4: client streaming

    [Test]
    [Category("Book:Chapter03")]
    public async Task A_message_over_the_default_4_MiB_limit_is_refused_with_RESOURCE_EXHAUSTED()
    {
        await using var host = await ClaimHost.StartAsync(new Handlers { WriteFile = (r, _) => Task.FromResult(new WriteFileReply { Size = r.Content.Length }) });
        var atLimit = new WriteFileRequest { FileName = "f", Content = ByteString.CopyFrom(new byte[4 * MiB - 16]) };
        Assert.That(atLimit.CalculateSize(), Is.LessThanOrEqualTo(4 * MiB), "the message under the limit");
        var over = new WriteFileRequest { FileName = "f", Content = ByteString.CopyFrom(new byte[4 * MiB]) };

        var accepted = await host.Files.WriteFileAsync(atLimit).ResponseAsync.Within("a message just under 4 MiB");
        var ex = await Bounded.RpcFailure(() => host.Files.WriteFileAsync(over).ResponseAsync, "a message over 4 MiB");

        Assert.Multiple(() =>
        {
            Assert.That(accepted.Size, Is.EqualTo(4 * MiB - 16), "the message under the limit is served");
            Assert.That(ex.StatusCode, Is.EqualTo(StatusCode.ResourceExhausted), $"the message over the limit ({ex.Status.Detail})");
        });
    }

    [Test]
    [Category("Book:Chapter03")]
    public async Task When_a_client_cancels_an_upload_the_handlers_next_read_throws()
    {
        var readFailed = new TaskCompletionSource<Exception>();
        var firstChunk = new TaskCompletionSource();
        await using var host = await ClaimHost.StartAsync(new Handlers
        {
            ClientStreaming = async (requests, context) =>
            {
                try
                {
                    while (await requests.MoveNext(context.CancellationToken))
                    {
                        firstChunk.TrySetResult();
                    }
                }
                catch (Exception ex)
                {
                    readFailed.TrySetResult(ex);
                    throw;
                }
                return new FileUploadSummary();
            },
        });
        using var cancel = new CancellationTokenSource();
        using var call = host.Uploads.UploadFile(cancellationToken: cancel.Token);

        await call.RequestStream.WriteAsync(new FileChunk { FileName = "a", Data = ByteString.CopyFromUtf8("x") });
        await firstChunk.Task.Within("the first chunk on the server");
        await cancel.CancelAsync();

        var error = await readFailed.Task.Within("the handler's next read to throw");
        Assert.That(error, Is.InstanceOf<OperationCanceledException>().Or.InstanceOf<IOException>(), "what the read throws");
    }

    [Test]
    [Category("Book:Chapter03")]
    public async Task Disposing_an_unfinished_client_streaming_call_cancels_it_on_the_server()
    {
        var cancelled = new TaskCompletionSource();
        var firstChunk = new TaskCompletionSource();
        await using var host = await ClaimHost.StartAsync(new Handlers
        {
            ClientStreaming = async (requests, context) =>
            {
                // Not disposed with the handler: Kestrel may fire the token just after a failed write has ended it.
                context.CancellationToken.Register(() => cancelled.TrySetResult());
                while (await requests.MoveNext())
                {
                    firstChunk.TrySetResult();
                }
                return new FileUploadSummary();
            },
        });
        var call = host.Uploads.UploadFile();
        await call.RequestStream.WriteAsync(new FileChunk { FileName = "a", Data = ByteString.CopyFromUtf8("x") });
        await firstChunk.Task.Within("the first chunk on the server");

        call.Dispose();

        await cancelled.Task.Within("the handler's token to fire");
    }

    [Test]
    [Category("Book:Chapter03")]
    public async Task Without_CompleteAsync_the_server_waits_until_the_deadline_ends_the_call_with_DEADLINE_EXCEEDED()
    {
        var handlerCancelled = new TaskCompletionSource();
        await using var host = await ClaimHost.StartAsync(new Handlers
        {
            ClientStreaming = async (requests, context) =>
            {
                try
                {
                    while (await requests.MoveNext(context.CancellationToken))
                    {
                    }
                }
                catch (Exception) when (context.CancellationToken.IsCancellationRequested)
                {
                    handlerCancelled.TrySetResult();
                    throw;
                }
                return new FileUploadSummary();
            },
        });

        var ex = await Bounded.RpcFailure(async () =>
        {
            using var call = host.Uploads.UploadFile(deadline: DateTime.UtcNow.AddMilliseconds(500));
            await call.RequestStream.WriteAsync(new FileChunk { FileName = "a", Data = ByteString.CopyFromUtf8("x") });
            await call.ResponseAsync;
        }, "an upload that never completes its stream");

        Assert.That(ex.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded), "the client's status");
        await handlerCancelled.Task.Within("the handler to be cancelled");
    }

    [Test]
    [Category("Book:Chapter04")]
    public async Task After_the_deadline_the_next_WriteAsync_of_a_client_stream_throws_DEADLINE_EXCEEDED()
    {
        var handlerCancelled = new TaskCompletionSource();
        await using var host = await ClaimHost.StartAsync(new Handlers
        {
            ClientStreaming = async (requests, context) =>
            {
                context.CancellationToken.Register(() => handlerCancelled.TrySetResult());
                while (await requests.MoveNext(context.CancellationToken))
                {
                }
                return new FileUploadSummary();
            },
        });
        using var call = host.Uploads.UploadFile(deadline: DateTime.UtcNow.AddMilliseconds(500));
        await call.RequestStream.WriteAsync(new FileChunk { FileName = "a", Data = ByteString.CopyFromUtf8("x") });

        // Readings that come too slowly: the next one is written after the deadline has passed.
        var ex = await Bounded.RpcFailure(() => call.ResponseAsync, "the call to end at its deadline");
        var write = await Bounded.RpcFailure(() => call.RequestStream.WriteAsync(new FileChunk { Data = ByteString.CopyFromUtf8("late") }), "a write after the deadline");

        Assert.Multiple(() =>
        {
            Assert.That(ex.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded), "ResponseAsync");
            Assert.That(write.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded), "the next WriteAsync");
        });
        await handlerCancelled.Task.Within("the handler to be cancelled too");
    }

    // ---------------------------------------------------------------- chapter 5: bidirectional streaming

    [Test]
    [Category("Book:Chapter05")]
    public async Task CompleteAsync_closes_only_the_clients_half_and_the_server_may_still_write()
    {
        await using var host = await ClaimHost.StartAsync(new Handlers
        {
            Duplex = async (requests, responses, _) =>
            {
                var count = 0;
                await foreach (var line in requests.ReadAllAsync())
                {
                    count++;
                }
                for (var i = 0; i < 3; i++)
                {
                    await responses.WriteAsync(new ChatMessage { Text = $"after your {count} line(s): {i}" });
                }
            },
        });
        using var call = host.Chat.JoinChat();

        await call.RequestStream.WriteAsync(new ChatMessage { Text = "hi" });
        await call.RequestStream.CompleteAsync();
        var received = await TextsAsync(call.ResponseStream).Within("the server's writes after the half-close");

        Assert.Multiple(() =>
        {
            Assert.That(received, Is.EqualTo(new[] { "after your 1 line(s): 0", "after your 1 line(s): 1", "after your 1 line(s): 2" }), "what the server wrote after the client's half-close");
            Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.OK), "the call's status");
        });
    }

    [Test]
    [Category("Book:Chapter05")]
    public async Task Once_the_handler_returns_the_call_is_over_for_both_halves()
    {
        await using var host = await ClaimHost.StartAsync(new Handlers
        {
            Duplex = async (_, responses, _) => await responses.WriteAsync(new ChatMessage { Text = "bye" }),
        });
        using var call = host.Chat.JoinChat();

        var received = await TextsAsync(call.ResponseStream).Within("the response stream to end");
        var write = await Catch(() => call.RequestStream.WriteAsync(new ChatMessage { Text = "anyone?" }));

        Assert.Multiple(() =>
        {
            Assert.That(received, Is.EqualTo(new[] { "bye" }), "what the client received");
            Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.OK), "the call's status, from the trailers");
            Assert.That(write, Is.Not.Null, "a write to the request stream after the handler returned");
        });
    }

    [Test]
    [Category("Book:Chapter05")]
    public async Task A_handler_that_fails_mid_stream_ends_the_call_with_an_error_status_in_the_trailers_after_what_it_wrote()
    {
        await using var host = await ClaimHost.StartAsync(new Handlers
        {
            Duplex = async (requests, responses, _) =>
            {
                await responses.WriteAsync(new ChatMessage { Text = "first" });
                await requests.MoveNext();
                throw new InvalidOperationException("the room broke");
            },
        });
        using var call = host.Chat.JoinChat();
        var received = new List<string>();

        await call.RequestStream.WriteAsync(new ChatMessage { Text = "hi" });
        var ex = await Bounded.RpcFailure(async () =>
        {
            await foreach (var message in call.ResponseStream.ReadAllAsync())
            {
                received.Add(message.Text);
            }
        }, "reading from a handler that fails");

        Assert.Multiple(() =>
        {
            Assert.That(received, Is.EqualTo(new[] { "first" }), "what the handler wrote before failing");
            Assert.That((ex.StatusCode, ex.Status.Detail), Is.EqualTo((StatusCode.Unknown, "Exception was thrown by handler.")), "a status from the trailers, not a reset (CANCELLED or INTERNAL)");
            Assert.That(call.GetTrailers().Count, Is.Zero, "trailers other than grpc-status and grpc-message");
        });
    }

    [Test]
    [Category("Book:Chapter05")]
    public async Task The_response_headers_go_out_with_the_servers_first_write()
    {
        var started = new TaskCompletionSource();
        var write = new TaskCompletionSource();
        await using var host = await ClaimHost.StartAsync(new Handlers
        {
            Duplex = async (requests, responses, context) =>
            {
                started.SetResult();
                await write.Task.WaitAsync(context.CancellationToken);
                await responses.WriteAsync(new ChatMessage { Text = "joined" });
                await foreach (var _ in requests.ReadAllAsync())
                {
                }
            },
        });
        using var call = host.Chat.JoinChat();

        await started.Task.Within("the handler to start");
        var headers = call.ResponseHeadersAsync;
        var beforeWrite = await Task.WhenAny(headers, Task.Delay(300)) == headers;
        write.SetResult();
        await headers.Within("the response headers after the first write");
        await call.RequestStream.CompleteAsync();

        Assert.That(beforeWrite, Is.False, "response headers arrived before the server wrote anything");
    }

    private static async Task EndlessAsync(IServerStreamWriter<TimeUpdate> writer, ServerCallContext context, TaskCompletionSource cancelled)
    {
        // Not disposed with the handler: Kestrel may fire the token just after a failed write has ended it.
        context.CancellationToken.Register(() => cancelled.TrySetResult());
        for (var i = 1; !context.CancellationToken.IsCancellationRequested; i++)
        {
            await writer.WriteAsync(new TimeUpdate { Sequence = i });
            await Task.Delay(50, context.CancellationToken);
        }
    }

    private static async Task<List<string>> TextsAsync(IAsyncStreamReader<ChatMessage> responses)
    {
        var texts = new List<string>();
        await foreach (var message in responses.ReadAllAsync())
        {
            texts.Add(message.Text);
        }
        return texts;
    }

    private static async Task<Exception?> Catch(Func<Task> action)
    {
        try
        {
            await action().WaitAsync(Bounded.Patience);
            return null;
        }
        catch (Exception ex) when (ex is not TimeoutException)
        {
            return ex;
        }
    }

    private static async Task<HttpResponseMessage> SendRawAsync(HttpClient http, Uri address, string path, IMessage request)
    {
        var payload = request.ToByteArray();
        var frame = new byte[5 + payload.Length];
        frame[1] = (byte)(payload.Length >> 24);
        frame[2] = (byte)(payload.Length >> 16);
        frame[3] = (byte)(payload.Length >> 8);
        frame[4] = (byte)payload.Length;
        payload.CopyTo(frame, 5);
        var content = new ByteArrayContent(frame);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(address, path))
        {
            Content = content,
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        message.Headers.TE.ParseAdd("trailers");
        var response = await http.SendAsync(message).WaitAsync(Bounded.Patience);
        return response;
    }
}
