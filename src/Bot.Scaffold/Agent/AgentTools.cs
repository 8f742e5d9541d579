using System.ComponentModel;
using Microsoft.SemanticKernel;

namespace Bot.Scaffold.Agent;

/// <summary>
/// The three actions offered to the model as tools. They are proposed with
/// <c>autoInvoke: false</c> and read from the response; invoking one is a bug.
/// </summary>
public sealed class AgentTools
{
    public const string Bash = "bash";
    public const string Delegate = "delegate";
    public const string Submit = "submit";

    /// <summary>The functions, without a plugin name so the model sees plain tool names.</summary>
    public static IReadOnlyList<KernelFunction> Functions { get; } = Create();

    private static KernelFunction[] Create()
    {
        var tools = new AgentTools();
        return
        [
            KernelFunctionFactory.CreateFromMethod(tools.RunBash, Bash),
            KernelFunctionFactory.CreateFromMethod(tools.DelegateTask, Delegate),
            KernelFunctionFactory.CreateFromMethod(tools.SubmitAnswer, Submit),
        ];
    }

    [Description("Run a bash command in the task's workspace (current directory). Returns stdout, stderr and the exit code. No network access.")]
    public string RunBash(
        [Description("The bash command or script to run.")] string command,
        [Description("One short sentence: why this is the best next action.")] string? rationale = null) => NotInvoked();

    [Description("Hand a self-contained sub-task to another copy of yourself; its final answer comes back as the observation.")]
    public string DelegateTask(
        [Description("The sub-task, with all context the helper needs; it cannot see your history.")] string task,
        [Description("One short sentence: why delegating is the best next action.")] string? rationale = null) => NotInvoked();

    [Description("Submit the final answer to the task. This ends the run.")]
    public string SubmitAnswer(
        [Description("The final answer, exactly as it should be scored.")] string answer,
        [Description("One short sentence: why this answer is correct.")] string? rationale = null) => NotInvoked();

    private static string NotInvoked() =>
        throw new InvalidOperationException("Agent tools are proposals chosen by vote or judge; they must never be auto-invoked.");
}
