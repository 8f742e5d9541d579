using Bot.Core.Domain;
using Bot.Core.Ports;
using Bot.Discord.Api;
using Bot.Discord.Bot.Rendering;

namespace Bot.Discord.Bot.Commands;

/// <summary>
/// The guild's slash commands as one bulk-overwrite payload. Required options come first (Discord
/// rejects a required option after an optional one); role checks happen in the handlers because
/// Discord's permission bits cannot express "has one of these roles".
/// </summary>
public static class SlashCommands
{
    public const string Task = "task";
    public const string Run = "run";
    public const string Stats = "stats";
    public const string Summary = "summary";
    public const string Web = "web";
    public const string Export = "export";

    public static class TaskSub
    {
        public const string Start = "start";
        public const string List = "list";
    }

    public static class RunSub
    {
        public const string Status = "status";
        public const string Pause = "pause";
        public const string Resume = "resume";
        public const string Abort = "abort";
        public const string Decide = "decide";
        public const string Nudge = "nudge";
        public const string Fork = "fork";
        public const string Tree = "tree";
        public const string Retry = "retry";
        public const string Rerun = "rerun";
        public const string Skip = "skip";
        public const string Deadline = "deadline";
        public const string Score = "score";
        public const string Gold = "gold";
    }

    public static class FallbackChoice
    {
        public const string Plurality = "plurality";
        public const string Judge = "judge";
        public const string Extend = "extend";
    }

    public static class TieChoice
    {
        public const string Earliest = "earliest";
        public const string Judge = "judge";
        public const string Extend = "extend";
    }

    public static class Options
    {
        public const string Task = "task";
        public const string Model = "model";
        public const string Candidates = "candidates";
        public const string Mode = "mode";
        public const string Quorum = "quorum";
        public const string DeadlineMinutes = "deadline_minutes";
        public const string Blind = "blind";
        public const string Threshold = "threshold";
        public const string Fallback = "fallback";
        public const string Ties = "ties";
        public const string Run = "run";
        public const string Option = "option";
        public const string Text = "text";
        public const string Step = "step";
        public const string Reason = "reason";
        public const string Period = "period";
        public const string Minutes = "minutes";
        public const string Format = "format";
        public const string Days = "days";
        public const string SubRuns = "sub_runs";
        public const string Forks = "forks";
        public const string Value = "value";
    }

    public static IReadOnlyList<ApplicationCommandDefinition> Definitions(IReadOnlyList<ModelChoice> profiles) =>
    [
        new ApplicationCommandDefinition
        {
            Name = Task,
            Description = "Start agent runs on tasks (researchers)",
            Contexts = [0],
            Options =
            [
                new CommandOptionDefinition
                {
                    Type = CommandOptionType.SubCommand, Name = TaskSub.Start, Description = "Start a run of a task in a new thread",
                    Options = StartOptions(profiles),
                },
                new CommandOptionDefinition { Type = CommandOptionType.SubCommand, Name = TaskSub.List, Description = "List the tasks you can start" },
            ],
        },
        new ApplicationCommandDefinition
        {
            Name = Run,
            Description = "Inspect and steer a run (implied inside its thread)",
            Contexts = [0],
            Options =
            [
                RunSubcommand(RunSub.Status, "Show the run's status"),
                RunSubcommand(RunSub.Pause, "Pause the run (researchers)"),
                RunSubcommand(RunSub.Resume, "Resume a paused run (researchers)"),
                RunSubcommand(RunSub.Abort, "Abort the run (researchers)",
                    new CommandOptionDefinition { Type = CommandOptionType.String, Name = Options.Reason, Description = "Why the run is aborted", MaxLength = 500 }),
                RunSubcommand(RunSub.Decide, "Override the vote: run this candidate now (researchers)",
                    new CommandOptionDefinition { Type = CommandOptionType.Integer, Name = Options.Option, Description = "Candidate number", Required = true, MinValue = 1, MaxValue = Limits.MaxCandidatesPerStep }),
                RunSubcommand(RunSub.Nudge, "Give the agent a hint for its next step (researchers)",
                    new CommandOptionDefinition { Type = CommandOptionType.String, Name = Options.Text, Description = "The hint", Required = true, MinLength = 1, MaxLength = 1000 }),
                RunSubcommand(RunSub.Fork, "Branch a new run from a step (researchers)",
                    new CommandOptionDefinition { Type = CommandOptionType.Integer, Name = Options.Step, Description = "Step number to branch from", Required = true, MinValue = 1 }),
                RunSubcommand(RunSub.Tree, "Show the run with its sub-runs and forks"),
                RunSubcommand(RunSub.Retry, "Ask the model again for a step whose generation failed (researchers)"),
                RunSubcommand(RunSub.Rerun, "Run an interrupted step's command again (researchers)"),
                RunSubcommand(RunSub.Skip, "Skip an interrupted step's command and go on (researchers)"),
                RunSubcommand(RunSub.Deadline, "Set the current step's vote deadline to N minutes from now (researchers)",
                    new CommandOptionDefinition { Type = CommandOptionType.Integer, Name = Options.Minutes, Description = "Minutes from now (1 to 10080)", Required = true, MinValue = 1, MaxValue = RunCommandHandler.MaxDeadlineMinutes }),
                RunSubcommand(RunSub.Score, "Score a run whose task asks a person to score it (researchers)",
                    new CommandOptionDefinition { Type = CommandOptionType.Number, Name = Options.Value, Description = "Score from 0 to 1 (1 passes)", Required = true, MinValue = 0, MaxValue = 1 }),
                RunSubcommand(RunSub.Gold, "Mark a decided step as gold: its correct candidate, for calibration (researchers)",
                    new CommandOptionDefinition { Type = CommandOptionType.Integer, Name = Options.Step, Description = "Step number of a decided step", Required = true, MinValue = 1 },
                    new CommandOptionDefinition { Type = CommandOptionType.Integer, Name = Options.Option, Description = "The correct candidate's number (0 unmarks the step)", Required = true, MinValue = 0, MaxValue = Limits.MaxCandidatesPerStep }),
            ],
        },
        new ApplicationCommandDefinition { Name = Stats, Description = "Figures: your own (me) or where models struggle (models)", Contexts = [0], Options = [.. StatsCommandHandler.Subcommands()] },
        new ApplicationCommandDefinition { Name = Web, Description = "A private sign-in link to the web view of runs and trees", Contexts = [0] },
        new ApplicationCommandDefinition
        {
            Name = Summary,
            Description = "Activity summary (researchers)",
            Contexts = [0],
            Options =
            [
                new CommandOptionDefinition
                {
                    Type = CommandOptionType.String, Name = Options.Period, Description = "How far back (default: week)",
                    Choices = [CommandChoice.Of("day", "day"), CommandChoice.Of("week", "week"), CommandChoice.Of("month", "month")],
                },
            ],
        },
        ExportCommandHandler.Definition(),
    ];

    private static List<CommandOptionDefinition> StartOptions(IReadOnlyList<ModelChoice> profiles)
    {
        var model = new CommandOptionDefinition
        {
            Type = CommandOptionType.String, Name = Options.Model, Description = "Model profile", Required = true,
            // Choices are limited to 25; with more profiles the option falls back to autocomplete.
            Choices = profiles.Count is > 0 and <= 25
                ? profiles.Select(p => CommandChoice.Of(Markdown.Plain(p.Name, 100), Markdown.Plain(p.Name, 100))).ToList()
                : null,
            Autocomplete = profiles.Count is 0 or > 25 ? true : null,
        };
        return
        [
            new CommandOptionDefinition { Type = CommandOptionType.String, Name = Options.Task, Description = "Task to run", Required = true, Autocomplete = true, MaxLength = 100 },
            model,
            new CommandOptionDefinition { Type = CommandOptionType.Integer, Name = Options.Candidates, Description = "Candidates the model proposes per step (default 3)", MinValue = 1, MaxValue = Limits.MaxModelCandidates },
            new CommandOptionDefinition
            {
                Type = CommandOptionType.String, Name = Options.Mode, Description = "How actions are chosen (default vote)",
                Choices = [CommandChoice.Of("vote", "vote"), CommandChoice.Of("hybrid", "hybrid"), CommandChoice.Of("auto", "auto")],
            },
            new CommandOptionDefinition { Type = CommandOptionType.Integer, Name = Options.Quorum, Description = "Votes needed before a step can be decided (default 2)", MinValue = 1, MaxValue = 50 },
            new CommandOptionDefinition { Type = CommandOptionType.Integer, Name = Options.DeadlineMinutes, Description = "Voting time per step in minutes (default 30)", MinValue = 1, MaxValue = 10080 },
            new CommandOptionDefinition { Type = CommandOptionType.Boolean, Name = Options.Blind, Description = "Hide tallies until decided (default yes)" },
            new CommandOptionDefinition { Type = CommandOptionType.Number, Name = Options.Threshold, Description = "The leader's share of votes must exceed this (default 0.5)", MinValue = 0, MaxValue = 0.99 },
            new CommandOptionDefinition
            {
                Type = CommandOptionType.String, Name = Options.Fallback, Description = "At the deadline without consensus (default: by mode)",
                Choices = [CommandChoice.Of("plurality, else extend", FallbackChoice.Plurality), CommandChoice.Of("plurality, else the judge (hybrid)", FallbackChoice.Judge),
                    CommandChoice.Of("extend: humans must decide", FallbackChoice.Extend)],
            },
            new CommandOptionDefinition
            {
                Type = CommandOptionType.String, Name = Options.Ties, Description = "How ties are broken (default: by mode)",
                Choices = [CommandChoice.Of("earliest candidate", TieChoice.Earliest), CommandChoice.Of("the judge (hybrid)", TieChoice.Judge), CommandChoice.Of("extend the deadline", TieChoice.Extend)],
            },
        ];
    }

    private static CommandOptionDefinition RunSubcommand(string name, string description, params CommandOptionDefinition[] options) => new()
    {
        Type = CommandOptionType.SubCommand,
        Name = name,
        Description = description,
        Options = [.. options, RunOption()],
    };

    private static CommandOptionDefinition RunOption() => new()
    {
        Type = CommandOptionType.Integer, Name = Options.Run, Description = "Run id (implied inside a run thread)", Autocomplete = true, MinValue = 1,
    };
}
