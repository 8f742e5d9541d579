using System.Text.Json;
using System.Text.Json.Serialization;
using Bot.Core.Domain;
using Bot.Core.Engine;
using Bot.Core.Text;

namespace Bot.Data.Json;

/// <summary>JSON used for jsonb columns: snake_case names, enums as snake_case strings, typed ids as plain values.</summary>
public static class DataJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);
    public static string Serialize(object value, Type type) => JsonSerializer.Serialize(value, type, Options);
    public static T Deserialize<T>(string json) => JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException($"null {typeof(T).Name}");
    public static object Deserialize(string json, Type type) => JsonSerializer.Deserialize(json, type, Options) ?? throw new JsonException($"null {type.Name}");

    /// <summary>snake_case spelling of an enum value, as stored in text columns (RunStatus.WaitingOnSubRun = waiting_on_sub_run).</summary>
    public static string Name<TEnum>(TEnum value) where TEnum : struct, Enum => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    public static TEnum Parse<TEnum>(string text) where TEnum : struct, Enum =>
        Enum.Parse<TEnum>(text.Replace("_", "", StringComparison.Ordinal), ignoreCase: true);

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        options.Converters.Add(new ActorIdConverter());
        options.Converters.Add(new RunIdConverter());
        options.Converters.Add(new StepIdConverter());
        options.Converters.Add(new StorableStringConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    // jsonb refuses \u0000 and lone surrogates (written as \uD83D escapes); one such string in an
    // event or work payload would fail its whole transaction on every retry.
    private sealed class StorableStringConverter : JsonConverter<string>
    {
        public override bool HandleNull => false;
        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetString();
        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(SafeText.ForStorage(value));
    }

    private sealed class ActorIdConverter : JsonConverter<ActorId>
    {
        public override ActorId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => new(reader.GetString()!);
        public override void Write(Utf8JsonWriter writer, ActorId value, JsonSerializerOptions options) => writer.WriteStringValue(value.Value);
    }

    private sealed class RunIdConverter : JsonConverter<RunId>
    {
        public override RunId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => new(reader.GetInt64());
        public override void Write(Utf8JsonWriter writer, RunId value, JsonSerializerOptions options) => writer.WriteNumberValue(value.Value);
    }

    private sealed class StepIdConverter : JsonConverter<StepId>
    {
        public override StepId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => new(reader.GetInt64());
        public override void Write(Utf8JsonWriter writer, StepId value, JsonSerializerOptions options) => writer.WriteNumberValue(value.Value);
    }
}
