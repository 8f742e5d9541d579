namespace Bot.Core.Results;

/// <summary>
/// An expected failure with a stable machine code, a message a person can act on, and flags that
/// tell the caller what to do next (retry later, or resume). Bugs throw instead.
/// </summary>
public sealed record Error(string Code, string Message, bool IsTransient = false, bool IsResumable = false)
{
    public override string ToString() => $"{Code}: {Message}";
}

/// <summary>Success, or an <see cref="Error"/>.</summary>
public readonly record struct Result
{
    public Error? Error { get; }
    public bool IsSuccess => Error is null;

    private Result(Error? error) => Error = error;

    public static Result Ok() => new(null);
    public static Result Fail(Error error) => new(error);
    public static implicit operator Result(Error error) => Fail(error);
}

/// <summary>A value, or an <see cref="Error"/>.</summary>
public readonly record struct Result<T>
{
    private readonly T? _value;
    public Error? Error { get; }
    public bool IsSuccess => Error is null;

    /// <summary>The value; throws when the result is a failure (reading it then is a bug).</summary>
    public T Value => IsSuccess ? _value! : throw new InvalidOperationException($"Result is a failure: {Error}");

    private Result(T? value, Error? error) { _value = value; Error = error; }

    public static Result<T> Ok(T value) => new(value, null);
    public static Result<T> Fail(Error error) => new(default, error);
    public static implicit operator Result<T>(T value) => Ok(value);
    public static implicit operator Result<T>(Error error) => Fail(error);
}
