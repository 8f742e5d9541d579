using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bot.Discord.Api;

/// <summary>
/// A field that may be absent, which on PATCH differs from an explicit null (null clears the field,
/// absent leaves it alone). Absent values are skipped by <see cref="DiscordJson"/>.
/// </summary>
[JsonConverter(typeof(OptionalConverterFactory))]
public readonly record struct Optional<T> : IOptional
{
    private readonly T _value;

    public Optional(T value)
    {
        _value = value;
        HasValue = true;
    }

    public bool HasValue { get; }

    public T Value => HasValue ? _value : throw new InvalidOperationException("Optional value is absent.");

    public static Optional<T> Absent => default;

    public static implicit operator Optional<T>(T value) => new(value);

    public override string ToString() => HasValue ? $"{_value}" : "(absent)";
}

/// <summary>Lets the serializer ask any <see cref="Optional{T}"/> whether it should be written.</summary>
public interface IOptional
{
    bool HasValue { get; }
}

internal sealed class OptionalConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) =>
        typeToConvert.IsGenericType && typeToConvert.GetGenericTypeDefinition() == typeof(Optional<>);

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(
            typeof(OptionalConverter<>).MakeGenericType(typeToConvert.GetGenericArguments()[0]))!;

    private sealed class OptionalConverter<T> : JsonConverter<Optional<T>>
    {
        // A present JSON null must still read as "present with null", not as absent.
        public override bool HandleNull => true;

        public override Optional<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            new(JsonSerializer.Deserialize<T>(ref reader, options)!);

        public override void Write(Utf8JsonWriter writer, Optional<T> value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, value.HasValue ? value.Value : default, options);
    }
}
