using System.CommandLine;
using System.Globalization;
using MetaRec.Storage.Users;

namespace MetaRec.Cli.Commands;

/// <summary><c>metarec users delete USER</c>: deletes a user's data from storage, as <c>DELETE /api/users/{userId}</c> does.</summary>
internal static class UsersCommand
{
    public static Command Create()
    {
        var storage = new StorageCliOptions();
        var user = new Argument<string>("user") { Description = "The user id." };
        var delete = new Command("delete", "Delete a user's data: a tombstone in the interaction log (the next training data leaves out their events), their recent window and their state in every family. Idempotent.") { user };
        storage.AddTo(delete);
        delete.SetAction((result, cancellation) => ModelsCommand.Run(async () =>
        {
            var options = storage.Resolve(result);
            var eraser = new UserDataEraser(options.CreateEmbeddingStore(), options.CreateWindowStore(), options.CreateInteractionLog());
            var erased = await eraser.EraseAsync(result.GetValue(user)!, cancellation);
            // Like the app's audit line: the user by a hash prefix, never the id.
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"user data deleted: user hash {erased.ShortHash}, state={erased.States} deleted, window={(erased.Window ? "deleted" : "none")}, events tombstoned at {erased.TombstonedUtc:O}"));
            return 0;
        }));
        var command = new Command("users", "Manage per-user data in storage.");
        command.Subcommands.Add(delete);
        return command;
    }
}
