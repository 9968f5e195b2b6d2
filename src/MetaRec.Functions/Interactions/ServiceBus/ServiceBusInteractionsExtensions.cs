using Microsoft.Extensions.Options;

namespace MetaRec.Functions.Interactions.ServiceBus;

public static class ServiceBusInteractionsExtensions
{
    /// <summary>
    /// Takes interaction events from Service Bus when <c>MetaRec:ServiceBus:FullyQualifiedNamespace</c>
    /// or <c>MetaRec:ServiceBus:ConnectionString</c> is set: the settings (validated now), the
    /// transport-independent <see cref="InteractionMessageHandler"/> and the hosted
    /// <see cref="ServiceBusInteractionProcessor"/>. With neither set it registers nothing and
    /// the section is not read further. Needs <see cref="InteractionProcessor"/> registered.
    /// </summary>
    /// <exception cref="ArgumentException">A setting is bad; the message names it (<c>MetaRec:ServiceBus:MaxConcurrentSessions must be at least 1, not 0</c>).</exception>
    public static IServiceCollection AddServiceBusInteractions(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var settings = configuration.GetSection(ServiceBusInteractionOptions.Section).Get<ServiceBusInteractionOptions>() ?? new ServiceBusInteractionOptions();
        if (!settings.IsConfigured)
        {
            return services;
        }
        settings.Validate();
        services.AddSingleton(Options.Create(settings));
        services.AddSingleton(provider => new InteractionMessageHandler(
            provider.GetRequiredService<InteractionProcessor>(), settings.MaxMessageBytes, provider.GetRequiredService<ILogger<InteractionMessageHandler>>()));
        services.AddHostedService<ServiceBusInteractionProcessor>();
        return services;
    }
}
