using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Bot.Core.Domain;
using Microsoft.SemanticKernel;
using Bot.Core.Text;

namespace Bot.Scaffold.Agent;

/// <summary>What one model reply proposes: a kind, the action text and a rationale, or why it is unusable.</summary>
public sealed record ParsedAction(CandidateKind Kind, string Text, string? Rationale);

/// <summary>
/// Reads a candidate from an assistant message: the first agent tool call if there is one, otherwise
/// the plain-text fallback format documented in prompts/README.md:
/// <code>
/// RATIONALE: one sentence
/// ACTION: bash
/// ```
/// ls -la
/// ```
/// </code>
/// </summary>
public static partial class CandidateParser
{
    private const int MaxRationaleChars = 300;

    public static (ParsedAction? Action, string? Failure) Parse(ChatMessageContent message)
    {
        var calls = message.Items.OfType<FunctionCallContent>().ToList();
        if (calls.Count > 0)
        {
            return FromToolCall(calls[0], message.Content);
        }
        var text = message.Content;
        if (string.IsNullOrWhiteSpace(text))
        {
            return (null, "The model returned neither a tool call nor text.");
        }
        return FromPlainText(text);
    }

    private static (ParsedAction?, string?) FromToolCall(FunctionCallContent call, string? assistantText)
    {
        if (call.Exception is not null)
        {
            return (null, $"The tool call '{call.FunctionName}' had malformed arguments: {call.Exception.Message}");
        }
        CandidateKind? kind = call.FunctionName switch
        {
            AgentTools.Bash => CandidateKind.Bash,
            AgentTools.Delegate => CandidateKind.Delegate,
            AgentTools.Submit => CandidateKind.Submit,
            _ => null,
        };
        if (kind is null)
        {
            return (null, $"The model called an unknown tool '{call.FunctionName}'.");
        }
        var parameter = kind switch
        {
            CandidateKind.Bash => "command",
            CandidateKind.Delegate => "task",
            _ => "answer",
        };
        var value = Argument(call.Arguments, parameter);
        if (string.IsNullOrWhiteSpace(value))
        {
            return (null, $"The tool call '{call.FunctionName}' has no '{parameter}' argument.");
        }
        var rationale = Argument(call.Arguments, "rationale");
        if (string.IsNullOrWhiteSpace(rationale))
        {
            rationale = assistantText;
        }
        return Validate(new ParsedAction(kind.Value, value, Clean(rationale)));
    }

    private static (ParsedAction?, string?) FromPlainText(string text)
    {
        var action = ActionLine().Match(text);
        if (!action.Success)
        {
            return (null, $"No tool call and no 'ACTION: bash|delegate|submit' line in the reply: {Excerpt(text)}");
        }
        var kind = action.Groups[1].Value.ToLowerInvariant() switch
        {
            AgentTools.Bash => CandidateKind.Bash,
            AgentTools.Delegate => CandidateKind.Delegate,
            _ => CandidateKind.Submit,
        };
        var after = text[(action.Index + action.Length)..];
        var fence = FencedBlock().Match(after);
        string? body = fence.Success ? fence.Groups[1].Value : null;
        if (body is null && kind != CandidateKind.Bash)
        {
            // Answers and sub-tasks are often given inline: "ACTION: submit 42".
            body = action.Groups[2].Value.Trim() is { Length: > 0 } inline ? inline : after.Trim();
        }
        if (string.IsNullOrWhiteSpace(body))
        {
            return (null, $"'ACTION: {action.Groups[1].Value}' is not followed by a fenced ``` block: {Excerpt(text)}");
        }
        var rationaleMatch = RationaleLine().Match(text);
        var rationale = rationaleMatch.Success ? rationaleMatch.Groups[1].Value : text[..action.Index];
        return Validate(new ParsedAction(kind, body.TrimEnd('\n', '\r'), Clean(rationale)));
    }

    private static (ParsedAction?, string?) Validate(ParsedAction action)
    {
        if (Encoding.UTF8.GetByteCount(action.Text) > Limits.MaxCandidateBytes)
        {
            return (null, $"The proposed {action.Kind.ToString().ToLowerInvariant()} action is longer than {Limits.MaxCandidateBytes} bytes.");
        }
        return (action, null);
    }

    private static string? Argument(KernelArguments? arguments, string name)
    {
        if (arguments is null || !arguments.TryGetValue(name, out var value) || value is null)
        {
            return null;
        }
        return value switch
        {
            string s => s,
            JsonElement { ValueKind: JsonValueKind.String } e => e.GetString(),
            JsonElement e => e.GetRawText(),
            _ => value.ToString(),
        };
    }

    private static string? Clean(string? rationale)
    {
        if (string.IsNullOrWhiteSpace(rationale))
        {
            return null;
        }
        var oneLine = Whitespace().Replace(rationale.Trim(), " ");
        return SafeText.Cut(oneLine, MaxRationaleChars + 1);
    }

    private static string Excerpt(string text) => SafeText.Cut(text, 201);

    [GeneratedRegex(@"^[ \t>*]*ACTION:[ \t*]*(bash|delegate|submit)\b[ \t]*(.*)$", RegexOptions.IgnoreCase | RegexOptions.Multiline)]
    private static partial Regex ActionLine();

    [GeneratedRegex(@"^[ \t]*RATIONALE:[ \t]*(.+)$", RegexOptions.IgnoreCase | RegexOptions.Multiline)]
    private static partial Regex RationaleLine();

    [GeneratedRegex(@"```[^\n]*\n(.*?)\n?[ \t]*```", RegexOptions.Singleline)]
    private static partial Regex FencedBlock();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
