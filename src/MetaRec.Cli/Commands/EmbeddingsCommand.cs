using System.CommandLine;
using System.Globalization;
using Spectre.Console;

namespace MetaRec.Cli.Commands;

/// <summary><c>metarec embeddings get FAMILY USER</c>: a user's stored state.</summary>
internal static class EmbeddingsCommand
{
    public static Command Create()
    {
        var storage = new StorageCliOptions();
        var family = new Argument<string>("family");
        var user = new Argument<string>("user");
        var get = new Command("get", "Print a user's stored embedding or adaptive state.") { family, user };
        storage.AddTo(get);
        get.SetAction((result, cancellation) => ModelsCommand.Run(async () =>
        {
            var name = result.GetValue(family)!;
            var id = result.GetValue(user)!;
            var embedding = await storage.Resolve(result).CreateEmbeddingStore().GetAsync(name, id, cancellation);
            if (embedding is null)
            {
                Console.Error.WriteLine($"no stored state for user '{id}' in family '{name}'");
                return 1;
            }
            AnsiConsole.MarkupLine(Markup.Escape(
                $"{embedding.Family}/{embedding.UserId}: model {embedding.ModelVersion}, watermark {embedding.Watermark}, updated {embedding.UpdatedUtc:u}, {embedding.Values.Length} floats"));
            Console.WriteLine(string.Join(' ', embedding.Values.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
            return 0;
        }));
        var command = new Command("embeddings", "Inspect per-user state in the embedding store.");
        command.Subcommands.Add(get);
        return command;
    }
}
