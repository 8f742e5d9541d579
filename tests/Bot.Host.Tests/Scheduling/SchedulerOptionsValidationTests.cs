using Bot.Host.Scheduling;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Bot.Host.Tests.Scheduling;

public sealed class SchedulerOptionsValidationTests
{
    private static IHost BuildHost(Dictionary<string, string?> settings)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSingleton<IScheduledMessageSender, RecordingSender>();
        builder.Services.AddBotScheduling(builder.Configuration);
        return builder.Build();
    }

    [Theory]
    [InlineData("Scheduler:DigestCron", "not a cron")]
    [InlineData("Scheduler:DigestCron", "0 0 25 * * ?")]
    [InlineData("Scheduler:TimeZone", "Mars/Olympus_Mons")]
    public async Task Invalid_schedule_setting_fails_start_up_naming_the_setting(string key, string value)
    {
        using var host = BuildHost(new() { [key] = value });

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(key, ex.Message);
        Assert.Contains(value, ex.Message);
    }

    [Fact]
    public void Defaults_are_valid_and_documented_values()
    {
        var options = new SchedulerOptions();

        Assert.True(new SchedulerOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal("0 0 9 * * ?", options.DigestCron);
        Assert.Equal("UTC", options.TimeZone);
        Assert.Equal(60, options.ReminderAfterMinutes);
        Assert.Equal(15, options.DeadlineSweepSeconds);
        Assert.False(options.Clustered);
    }

    [Fact]
    public void Iana_time_zone_and_custom_cron_are_accepted()
    {
        var options = new SchedulerOptions { TimeZone = "Europe/Berlin", DigestCron = "0 30 8 ? * MON-FRI" };

        Assert.True(new SchedulerOptionsValidator().Validate(null, options).Succeeded);
    }
}
