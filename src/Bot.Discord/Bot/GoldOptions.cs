using System.ComponentModel.DataAnnotations;

namespace Bot.Discord.Bot;

/// <summary>The <c>Gold</c> section: how often gold steps come back to contractors as calibration steps.</summary>
public sealed class GoldOptions
{
    public const string SectionName = "Gold";

    /// <summary>
    /// One calibration post after every N live step messages posted (0 = none). Twenty keeps
    /// calibration about 5% of what contractors see: enough for an accuracy figure within weeks,
    /// rare enough not to slow the runs.
    /// </summary>
    [Range(0, 10_000)]
    public int CalibrationEvery { get; set; } = 20;
}
