using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Bot.Testing.FakeDiscord;

namespace Bot.Discord.Tests;

/// <summary>The fake must reject what Discord rejects, or the contract tests prove nothing.</summary>
public sealed class FakeDiscordServerTests
{
    [Fact]
    public void Spec_validation_accepts_a_valid_message_and_rejects_a_101_character_custom_id()
    {
        var valid = JsonNode.Parse("""{"content":"hi","components":[{"type":1,"components":[{"type":2,"style":1,"label":"A","custom_id":"a"}]}]}""");
        var invalid = JsonNode.Parse($$"""{"content":"hi","components":[{"type":1,"components":[{"type":2,"style":1,"label":"A","custom_id":"{{new string('x', 101)}}"}]}]}""");

        Assert.Empty(SpecValidator.Validate("MessageCreateRequest", valid));
        Assert.NotEmpty(SpecValidator.Validate("MessageCreateRequest", invalid));
    }

    [Fact]
    public void Misspelt_fields_are_reported_even_inside_components_and_embeds()
    {
        var body = JsonNode.Parse("""
            {"contnet":"hi","embeds":[{"titel":"x"}],
             "components":[{"type":1,"components":[{"type":2,"style":1,"label":"A","customid":"a"}]}]}
            """);

        var problems = SpecValidator.Validate("MessageCreateRequest", body);

        Assert.Contains(problems, p => p.Contains("$.contnet", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("$.embeds[0].titel", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("$.components[0].components[0].customid", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_request_breaking_the_docs_limits_is_recorded_and_fails_the_test_on_dispose()
    {
        var fake = await FakeDiscordServer.StartAsync();
        using var http = new HttpClient();
        var request = new HttpRequestMessage(HttpMethod.Post, $"{fake.ApiBaseUrl}/channels/{fake.DefaultChannelId}/messages")
        {
            Content = new StringContent("{\"content\":\"" + new string('x', 2001) + "\",\"allowed_mentions\":{\"parse\":[]}}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bot", fake.Token);
        request.Headers.TryAddWithoutValidation("User-Agent", "curl/8");

        var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(fake.Violations, v => v.Problem.Contains("2000", StringComparison.Ordinal));
        Assert.Contains(fake.Violations, v => v.Problem.Contains("User-Agent", StringComparison.Ordinal));
        var error = await Assert.ThrowsAsync<FakeDiscordViolationException>(async () => await fake.DisposeAsync());
        Assert.Contains("User-Agent", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Requests_without_the_bot_token_get_401()
    {
        await using var fake = await FakeDiscordServer.StartAsync();
        using var http = new HttpClient();

        var response = await http.GetAsync($"{fake.ApiBaseUrl}/gateway/bot");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("401: Unauthorized", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
