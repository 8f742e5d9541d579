using System.Text;
using Bot.Discord.Api;
using Bot.Discord.Rest;
using Bot.Testing.FakeDiscord;

namespace Bot.Discord.Tests;

public sealed class RestClientTests
{
    private static MessageCreate StepMessage(string text) => new()
    {
        Content = text,
        Components =
        [
            Component.ActionRow(
                Component.Button("vote:1:1:0", "A", ButtonStyle.Primary),
                Component.Button("vote:1:1:1", "B"),
                Component.Button("vote:1:1:2", "C")),
            Component.ActionRow(Component.StringSelect("rate:1:1", [new SelectOption("good", "g"), new SelectOption("bad", "b")])),
        ],
        Embeds = [new Embed { Title = "Step 1", Description = "observation", Fields = [new EmbedField("candidate", "ls")] }],
    };

    [Fact]
    public async Task Created_message_with_components_is_stored_valid_and_can_be_edited_and_read()
    {
        await using var fake = await FakeDiscordServer.StartAsync();
        await using var client = ClientHarness.Create(fake);

        var created = await client.Messages.CreateMessageAsync(fake.DefaultChannelId, StepMessage("hello"));
        Assert.True(created.IsSuccess, created.Error?.ToString());
        var edited = await client.Messages.EditMessageAsync(fake.DefaultChannelId, created.Value.Id, new MessageEdit { Content = "hello again" });
        Assert.True(edited.IsSuccess, edited.Error?.ToString());
        var read = await client.Messages.GetMessageAsync(fake.DefaultChannelId, created.Value.Id);

        Assert.Equal("hello again", read.Value.Content);
        var stored = Assert.Single(fake.MessagesIn(fake.DefaultChannelId));
        Assert.Equal(["vote:1:1:0", "vote:1:1:1", "vote:1:1:2", "rate:1:1"], stored.CustomIds());
        Assert.Equal(1, stored.EditCount);
        Assert.Equal(4, read.Value.Components!.SelectMany(c => c.Flatten()).Count(c => c.CustomId is not null));
    }

    [Fact]
    public async Task Message_with_files_is_sent_as_multipart_with_matching_attachment_ids()
    {
        await using var fake = await FakeDiscordServer.StartAsync();
        await using var client = ClientHarness.Create(fake);

        var message = new MessageCreate
        {
            Content = "chart",
            Attachments = [new AttachmentReference(0, "chart.png", "votes")],
            Embeds = [new Embed { Image = new EmbedMedia("attachment://chart.png") }],
        };
        var result = await client.Messages.CreateMessageAsync(fake.DefaultChannelId, message, [new FileUpload("chart.png", Encoding.UTF8.GetBytes("png-bytes"), "image/png")]);

        Assert.True(result.IsSuccess, result.Error?.ToString());
        var attachment = Assert.Single(result.Value.Attachments!);
        Assert.Equal("chart.png", attachment.Filename);
        Assert.Equal("png-bytes", Encoding.UTF8.GetString(fake.Message(result.Value.Id)!.Files["chart.png"]));
    }

    [Fact]
    public async Task Content_over_2000_characters_is_rejected_before_it_is_sent()
    {
        await using var fake = await FakeDiscordServer.StartAsync();
        await using var client = ClientHarness.Create(fake);

        var result = await client.Messages.CreateMessageAsync(fake.DefaultChannelId, new MessageCreate { Content = new string('x', 2001) });

        Assert.Equal(DiscordErrors.ValidationCode, result.Error?.Code);
        Assert.Empty(fake.Rest.Requests);
    }

    [Theory]
    [InlineData("six buttons")]
    [InlineData("duplicate id")]
    [InlineData("long id")]
    public async Task Component_limits_are_checked_by_the_client(string problem)
    {
        await using var fake = await FakeDiscordServer.StartAsync();
        await using var client = ClientHarness.Create(fake);
        Component[] rows = problem switch
        {
            "six buttons" => [Component.ActionRow(Enumerable.Range(0, 6).Select(i => Component.Button($"b{i}", "x")).ToArray())],
            "duplicate id" => [Component.ActionRow(Component.Button("same", "a"), Component.Button("same", "b"))],
            _ => [Component.ActionRow(Component.Button(new string('i', 101), "a"))],
        };

        var result = await client.Messages.CreateMessageAsync(fake.DefaultChannelId, new MessageCreate { Content = "x", Components = rows });

        Assert.Equal(DiscordErrors.ValidationCode, result.Error?.Code);
        Assert.Empty(fake.Rest.Requests);
    }

    [Fact]
    public async Task Discord_field_errors_become_a_typed_error_with_the_field_path()
    {
        await using var fake = await FakeDiscordServer.StartAsync();
        await using var client = ClientHarness.Create(fake);

        // Mentions left to Discord's defaults break the project rule the fake enforces.
        var result = await client.Messages.CreateMessageAsync(fake.DefaultChannelId, new MessageCreate { Content = "hi @everyone", AllowedMentions = null });

        Assert.True(result.Error!.Is(DiscordErrors.InvalidFormBody));
        Assert.Contains("allowed_mentions", result.Error!.Message, StringComparison.Ordinal);
        Assert.False(result.Error!.IsTransient);
        Assert.NotEmpty(fake.Violations);
        fake.ClearViolations();
    }

    [Fact]
    public async Task Threads_are_public_and_a_second_thread_on_one_message_is_a_typed_error()
    {
        await using var fake = await FakeDiscordServer.StartAsync();
        await using var client = ClientHarness.Create(fake);
        var message = (await client.Messages.CreateMessageAsync(fake.DefaultChannelId, new MessageCreate { Content = "run 1" })).Value;

        var fromMessage = await client.Threads.StartThreadFromMessageAsync(fake.DefaultChannelId, message.Id, new StartThreadFromMessage("run 1", 1440));
        var again = await client.Threads.StartThreadFromMessageAsync(fake.DefaultChannelId, message.Id, new StartThreadFromMessage("run 1 again"));
        var standalone = await client.Threads.StartThreadAsync(fake.DefaultChannelId, new StartThread("run 2"));

        Assert.Equal(message.Id, fromMessage.Value.Id);
        Assert.True(again.Error!.Is(DiscordErrors.ThreadAlreadyCreated));
        Assert.Equal(ChannelType.PublicThread, standalone.Value.Type);
        Assert.Equal(ChannelType.PublicThread, fake.Store.FindChannel(standalone.Value.Id)!.Type);
        var posted = await client.Messages.CreateMessageAsync(standalone.Value.Id, new MessageCreate { Content = "in thread" });
        Assert.Single(fake.MessagesIn(standalone.Value.Id));
        Assert.True(posted.IsSuccess);
    }

    [Fact]
    public async Task Bulk_overwrite_registers_guild_and_global_commands_with_the_application_id_from_the_api()
    {
        await using var fake = await FakeDiscordServer.StartAsync();
        await using var client = ClientHarness.Create(fake);
        ApplicationCommandDefinition[] commands =
        [
            new()
            {
                Name = "run",
                Description = "Start an agent run",
                DefaultMemberPermissions = "0",
                Options =
                [
                    new CommandOptionDefinition { Type = CommandOptionType.String, Name = "task", Description = "Task id", Required = true, Autocomplete = true },
                    new CommandOptionDefinition { Type = CommandOptionType.Integer, Name = "candidates", Description = "How many", Choices = [CommandChoice.Of("3", 3), CommandChoice.Of("5", 5)] },
                ],
            },
        ];

        var guild = await client.Commands.OverwriteGuildCommandsAsync(fake.GuildId, commands);
        var global = await client.Commands.OverwriteGlobalCommandsAsync(commands);

        Assert.True(guild.IsSuccess, guild.Error?.ToString());
        Assert.True(global.IsSuccess, global.Error?.ToString());
        Assert.Equal("run", Assert.Single(guild.Value).Name);
        Assert.Equal(fake.GuildId, guild.Value[0].GuildId);
        Assert.Single(fake.Store.Commands("global"));
        Assert.Contains(fake.Rest.Requests, r => r.Path == "applications/@me");
    }

    [Fact]
    public async Task Unauthorized_stops_the_client_after_one_request()
    {
        await using var fake = await FakeDiscordServer.StartAsync();
        await using var client = ClientHarness.Create(fake, new() { ["Discord:Token"] = "wrong-token" });

        var first = await client.Messages.CreateMessageAsync(fake.DefaultChannelId, new MessageCreate { Content = "a" });
        var second = await client.Messages.CreateMessageAsync(fake.DefaultChannelId, new MessageCreate { Content = "b" });

        Assert.Equal(DiscordErrors.UnauthorizedCode, first.Error?.Code);
        Assert.Equal(DiscordErrors.UnauthorizedCode, second.Error?.Code);
        Assert.True(client.Http.IsStopped);
        Assert.Single(fake.Rest.Requests);
        Assert.Contains(client.Logs.Lines, l => l.Level == Microsoft.Extensions.Logging.LogLevel.Critical && l.Message.Contains("401", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    public async Task Server_errors_are_retried_until_the_request_succeeds(int status)
    {
        await using var fake = await FakeDiscordServer.StartAsync();
        await using var client = ClientHarness.Create(fake);
        fake.Faults.Add(new RestFault { Kind = FaultKind.Status, Status = status, Matches = FakeRestFaults.Route("POST", "/messages"), Remaining = 2 });

        var result = await client.Messages.CreateMessageAsync(fake.DefaultChannelId, new MessageCreate { Content = "retry me" });

        Assert.True(result.IsSuccess, result.Error?.ToString());
        Assert.Equal(3, fake.Rest.Requests.Count(r => r.Method == "POST"));
        Assert.Single(fake.MessagesIn(fake.DefaultChannelId));
    }

    [Fact]
    public async Task Persistent_server_errors_end_in_a_transient_error()
    {
        await using var fake = await FakeDiscordServer.StartAsync();
        await using var client = ClientHarness.Create(fake, new() { ["Discord:MaxRetries"] = "2" });
        fake.Faults.Add(new RestFault { Kind = FaultKind.Status, Status = 503, Matches = FakeRestFaults.Route("POST", "/messages"), Remaining = 100 });

        var result = await client.Messages.CreateMessageAsync(fake.DefaultChannelId, new MessageCreate { Content = "x" });

        Assert.True(result.Error!.IsTransient);
        Assert.Equal(3, fake.Rest.Requests.Count);
    }

    [Fact]
    public async Task Slow_responses_time_out_and_are_retried()
    {
        await using var fake = await FakeDiscordServer.StartAsync();
        await using var client = ClientHarness.Create(fake, new() { ["Discord:RequestTimeout"] = "00:00:00.300" });
        fake.Faults.Add(new RestFault { Kind = FaultKind.Delay, Duration = TimeSpan.FromSeconds(3), Matches = FakeRestFaults.Route("GET", "/applications/@me") });

        var result = await client.Application.GetCurrentApplicationAsync();

        Assert.True(result.IsSuccess, result.Error?.ToString());
        Assert.Equal(fake.ApplicationId, result.Value.Id);
        Assert.Equal(2, fake.Rest.Requests.Count);
    }
}
