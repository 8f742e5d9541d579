using Bot.Core.Ports;
using Microsoft.Extensions.DependencyInjection;

namespace Bot.Data.Web;

public static class WebDataServiceCollectionExtensions
{
    /// <summary>
    /// The read port the web view needs beyond the chat's ports (those come from <c>AddBotDataPorts</c>),
    /// and the ledger that makes each sign-in link work once.
    /// </summary>
    public static IServiceCollection AddBotWebData(this IServiceCollection services)
    {
        services.AddSingleton<IRunBrowser, RunBrowserPort>();
        services.AddSingleton<ISignInLinkLedger, SignInLinkLedger>();
        return services;
    }
}
