namespace MetaRec.Functions.Timers;

public static class TimerServiceCollectionExtensions
{
    /// <summary>
    /// Registers <typeparamref name="TFunction"/> as a singleton and as one of the app's
    /// <see cref="ITimerFunction"/>s: the standalone timer trigger schedules it, and its
    /// <c>[TimerTrigger]</c> wrapper resolves it under the Functions host.
    /// </summary>
    public static IServiceCollection AddTimerFunction<TFunction>(this IServiceCollection services)
        where TFunction : class, ITimerFunction
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton<TFunction>();
        services.AddSingleton<ITimerFunction>(provider => provider.GetRequiredService<TFunction>());
        return services;
    }
}
