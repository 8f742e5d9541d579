using Bot.Discord.Api;
using Bot.Discord.Gateway;

namespace Bot.Discord.Bot.Interactions;

/// <summary>Feeds INTERACTION_CREATE to the router and MESSAGE_CREATE (thread replies) to the reply handler.</summary>
public sealed class BotGatewayHandler(InteractionRouter router, ReplyProposalHandler replies) : IGatewayEventHandler
{
    public async Task HandleAsync(GatewayDispatch dispatch, CancellationToken cancellationToken = default)
    {
        switch (dispatch.Name)
        {
            case "INTERACTION_CREATE" when dispatch.As<Interaction>() is { } interaction:
                await router.HandleAsync(interaction, cancellationToken).ConfigureAwait(false);
                break;
            case "MESSAGE_CREATE" when dispatch.As<Message>() is { } message:
                await replies.HandleAsync(message, cancellationToken).ConfigureAwait(false);
                break;
        }
    }
}
