namespace Bot.Core.Domain;

/// <summary>Database id of a run.</summary>
public readonly record struct RunId(long Value)
{
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Database id of a step (unique across runs; the engine itself addresses steps by number).</summary>
public readonly record struct StepId(long Value)
{
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// Who did something: a Discord user (<c>discord:123</c>), the model (<c>model:gpt-4o</c>), or the
/// system (<c>system:deadline</c>). Kept as text so every actor kind fits one column.
/// </summary>
public readonly record struct ActorId(string Value)
{
    public static ActorId Discord(ulong userId) => new($"discord:{userId}");
    public static ActorId Model(string modelName) => new($"model:{modelName}");
    public static readonly ActorId System = new("system");
    public override string ToString() => Value;
}
