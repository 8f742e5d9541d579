using System.Text.Json.Nodes;

namespace Bot.Testing.FakeDiscord;

public sealed partial class FakeGateway
{
    private readonly List<DateTimeOffset> _identifyTimes = [];
    private int _duplicateShardIdentifies;

    /// <summary>Identifies refused because their shard already had a live session.</summary>
    public int DuplicateShardIdentifies => Volatile.Read(ref _duplicateShardIdentifies);

    private async Task<bool> IdentifyAsync(FakeGatewayConnection connection, JsonObject? data)
    {
        Interlocked.Increment(ref _identifies);
        if (connection.Identified || connection.Resumed)
        {
            await connection.CloseAsync(4005, "Already authenticated").ConfigureAwait(false);
            return false;
        }
        if (FakeJson.Str(data?["token"]) != options.Token)
        {
            await connection.CloseAsync(4004, "Authentication failed").ConfigureAwait(false);
            return false;
        }
        var intents = FakeJson.Int(data?["intents"]) ?? -1;
        if (intents < 0 || (intents & ~KnownIntents) != 0)
        {
            await connection.CloseAsync(4013, "Invalid intent(s)").ConfigureAwait(false);
            return false;
        }
        if (!options.PrivilegedIntentsEnabled && (intents & PrivilegedIntents) != 0)
        {
            await connection.CloseAsync(4014, "Disallowed intent(s)").ConfigureAwait(false);
            return false;
        }
        if (!AllowIdentify())
        {
            await connection.SendAsync(new JsonObject { ["op"] = 9, ["d"] = false, ["s"] = null, ["t"] = null }).ConfigureAwait(false);
            return true;
        }
        var (shardId, shardCount) = (0, 1);
        if (data?["shard"] is { } shardField)
        {
            if (shardField is not JsonArray { Count: 2 } pair || FakeJson.Int(pair[0]) is not { } id || FakeJson.Int(pair[1]) is not { } count
                || count < 1 || id < 0 || id >= count)
            {
                await connection.CloseAsync(4010, "Invalid shard").ConfigureAwait(false);
                return false;
            }
            (shardId, shardCount) = (id, count);
        }
        if (shardCount < options.MinimumShardCount)
        {
            await connection.CloseAsync(4011, "Sharding required").ConfigureAwait(false);
            return false;
        }
        bool duplicate;
        lock (_gate)
        {
            // A second session for a shard that already has a live one is refused, not let in beside it.
            duplicate = _connections.Any(c => c != connection && c.IsOpen && c.Identified && c.ShardId == shardId
                && c.SessionId is { } other && _sessions[other] is { Valid: true } live && live.ShardCount == shardCount);
        }
        if (duplicate)
        {
            Interlocked.Increment(ref _duplicateShardIdentifies);
            await connection.SendAsync(new JsonObject { ["op"] = 9, ["d"] = false, ["s"] = null, ["t"] = null }).ConfigureAwait(false);
            return true;
        }
        if (data?["properties"] is not JsonObject props || props["os"] is null || props["browser"] is null || props["device"] is null)
        {
            await connection.CloseAsync(4002, "Decode error: properties {os, browser, device} are required").ConfigureAwait(false);
            return false;
        }

        FakeGatewaySession session;
        JsonObject ready;
        JsonObject? guild;
        // READY and GUILD_CREATE go out before any dispatch injected meanwhile (sequence order).
        await _dispatchOrder.WaitAsync().ConfigureAwait(false);
        try
        {
            lock (_gate)
            {
                session = new FakeGatewaySession(Guid.NewGuid().ToString("N"), intents, shardId, shardCount);
                _sessions[session.Id] = session;
                if (_shardSessions.GetValueOrDefault(shardId) is { } previous)
                {
                    previous.Valid = false;
                }
                _shardSessions[shardId] = session;
                connection.SessionId = session.Id;
                connection.ShardId = shardId;
                var ours = ShardOf(options.GuildId, shardCount) == shardId;
                connection.Identified = true;
                ready = session.Append("READY", new JsonObject
                {
                    ["v"] = 10,
                    ["user"] = new JsonObject { ["id"] = options.BotUserId.ToString(), ["username"] = "fake-bot", ["bot"] = true },
                    ["guilds"] = ours ? new JsonArray(new JsonObject { ["id"] = options.GuildId.ToString(), ["unavailable"] = true }) : new JsonArray(),
                    ["session_id"] = session.Id,
                    ["resume_gateway_url"] = $"{WebSocketBase}/gw-resume",
                    ["application"] = new JsonObject { ["id"] = options.ApplicationId.ToString(), ["flags"] = 0 },
                });
                // The guild's GUILD_CREATE goes to its own shard only.
                guild = ours ? session.Append("GUILD_CREATE", store.GuildJson()) : null;
            }
            await connection.SendAsync(ready).ConfigureAwait(false);
            if (guild is not null) await connection.SendAsync(guild).ConfigureAwait(false);
        }
        finally
        {
            _dispatchOrder.Release();
        }
        return true;
    }

    private async Task<bool> ResumeAsync(FakeGatewayConnection connection, JsonObject? data)
    {
        Interlocked.Increment(ref _resumes);
        if (FakeJson.Str(data?["token"]) != options.Token)
        {
            await connection.CloseAsync(4004, "Authentication failed").ConfigureAwait(false);
            return false;
        }
        var sessionId = FakeJson.Str(data?["session_id"]);
        var seq = FakeJson.Int(data?["seq"]) ?? -1;
        FakeGatewaySession? session;
        lock (_gate)
        {
            session = sessionId is not null && _sessions.TryGetValue(sessionId, out var s) && s.Valid ? s : null;
        }
        if (session is null)
        {
            await connection.SendAsync(new JsonObject { ["op"] = 9, ["d"] = false, ["s"] = null, ["t"] = null }).ConfigureAwait(false);
            return true;
        }
        if (seq < 0 || seq > session.Sequence)
        {
            await connection.CloseAsync(4007, "Invalid seq").ConfigureAwait(false);
            return false;
        }
        // Under the dispatch lock, so a dispatch injected meanwhile goes out after the replay and
        // RESUMED, in sequence order (the client drops a lower sequence as an old replay).
        await _dispatchOrder.WaitAsync().ConfigureAwait(false);
        try
        {
            IReadOnlyList<JsonObject> replay;
            JsonObject resumed;
            lock (_gate)
            {
                connection.SessionId = session.Id;
                connection.ShardId = session.ShardId;
                connection.Resumed = true;
                replay = session.After(seq);
                resumed = session.Append("RESUMED", new JsonObject());
            }
            foreach (var payload in replay)
            {
                await connection.SendAsync(payload).ConfigureAwait(false);
            }
            await connection.SendAsync(resumed).ConfigureAwait(false);
        }
        finally
        {
            _dispatchOrder.Release();
        }
        return true;
    }

    private bool AllowIdentify()
    {
        if (options.MaxIdentifiesPer5Seconds <= 0)
        {
            return true;
        }
        lock (_identifyTimes)
        {
            var now = DateTimeOffset.UtcNow;
            _identifyTimes.RemoveAll(t => now - t >= TimeSpan.FromSeconds(5));
            if (_identifyTimes.Count >= options.MaxIdentifiesPer5Seconds)
            {
                return false;
            }
            _identifyTimes.Add(now);
            return true;
        }
    }

    /// <summary>Sends op 7, then closes with 4000 shortly after, as Discord does.</summary>
    public async Task SendReconnectAsync()
    {
        var connection = RequireCurrent();
        await connection.SendAsync(new JsonObject { ["op"] = 7, ["d"] = null, ["s"] = null, ["t"] = null }).ConfigureAwait(false);
        _ = Task.Delay(TimeSpan.FromMilliseconds(500)).ContinueWith(
            _ => connection.IsOpen ? connection.CloseAsync(4000, "Reconnect") : Task.CompletedTask, TaskScheduler.Default).Unwrap();
    }

    /// <summary>Sends op 9; when not resumable the session is gone and its unsent events are lost.</summary>
    public async Task InvalidateSessionAsync(bool resumable)
    {
        var connection = RequireCurrent();
        if (!resumable)
        {
            lock (_gate)
            {
                if (_current is not null)
                {
                    _current.Valid = false;
                }
            }
        }
        await connection.SendAsync(new JsonObject { ["op"] = 9, ["d"] = resumable, ["s"] = null, ["t"] = null }).ConfigureAwait(false);
    }

    /// <summary>Asks the client for an immediate heartbeat (op 1).</summary>
    public Task RequestHeartbeatAsync() =>
        RequireCurrent().SendAsync(new JsonObject { ["op"] = 1, ["d"] = null, ["s"] = null, ["t"] = null });

    /// <summary>Closes the current connection with <paramref name="code"/>; 4007/4009 also end the session.</summary>
    public Task CloseAsync(int code)
    {
        if (code is 4007 or 4009)
        {
            lock (_gate)
            {
                if (_current is not null)
                {
                    _current.Valid = false;
                }
            }
        }
        return RequireCurrent().CloseAsync(code, $"Scripted close {code}");
    }

    /// <summary>Drops the TCP connection with no close frame (resumable).</summary>
    public void AbortConnection() => RequireCurrent().Abort();

    private FakeGatewayConnection RequireCurrent() =>
        CurrentConnection ?? throw new InvalidOperationException("No open, authenticated gateway connection.");
}
