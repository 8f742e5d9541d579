using System.Text.Json.Nodes;
using Bot.Discord.Api;

namespace Bot.Discord.Tests;

public sealed class WireFormatTests
{
    [Fact]
    public void Message_edit_writes_explicit_null_but_omits_absent_fields()
    {
        var edit = new MessageEdit { Content = null, Components = new Optional<IReadOnlyList<Component>?>([]) };

        var json = JsonNode.Parse(DiscordJson.Serialize(edit))!.AsObject();

        Assert.True(json.ContainsKey("content"));
        Assert.Null(json["content"]);
        Assert.Empty(json["components"]!.AsArray());
        Assert.False(json.ContainsKey("embeds"));
        Assert.False(json.ContainsKey("attachments"));
        Assert.Empty(json["allowed_mentions"]!["parse"]!.AsArray());
    }

    [Fact]
    public void Ids_are_written_as_strings_and_read_from_strings_or_numbers()
    {
        var json = DiscordJson.Serialize(new AttachmentReference(123456789012345678, "a.png"));
        Assert.Contains("\"id\":\"123456789012345678\"", json, StringComparison.Ordinal);

        var user = DiscordJson.Deserialize<User>("{\"id\":42,\"username\":\"x\"}")!;
        Assert.Equal(42UL, user.Id);
    }

    [Fact]
    public void Label_child_is_serialized_as_component_and_modal_values_are_read_back()
    {
        var label = Component.LabelFor("Your command", Component.TextInput("cmd", TextInputStyle.Paragraph));
        var json = JsonNode.Parse(DiscordJson.Serialize(label))!;
        Assert.Equal(4, json["component"]!["type"]!.GetValue<int>());
        Assert.Equal(2, json["component"]!["style"]!.GetValue<int>());

        var interaction = DiscordJson.Deserialize<Interaction>("""
            {"id":"1","application_id":"2","type":5,"token":"t","version":1,
             "member":{"user":{"id":"9","username":"alice"},"roles":["11","12"],"permissions":"8"},
             "data":{"custom_id":"propose:1","components":[
               {"type":18,"id":1,"component":{"type":4,"custom_id":"cmd","value":"ls -la"}},
               {"type":1,"components":[{"type":4,"custom_id":"why","value":"look"}]}]}}
            """)!;
        Assert.Equal(InteractionType.ModalSubmit, interaction.Type);
        Assert.Equal([11UL, 12UL], interaction.Member!.Roles);
        Assert.Equal(9UL, interaction.Invoker!.Id);
        Assert.Equal("ls -la", interaction.ModalValues()["cmd"]);
        Assert.Equal("look", interaction.ModalValues()["why"]);
    }

    [Fact]
    public void New_public_thread_request_sends_type_11()
    {
        var json = JsonNode.Parse(DiscordJson.Serialize(new StartThread("run 7")))!;
        Assert.Equal(11, json["type"]!.GetValue<int>());
    }
}
