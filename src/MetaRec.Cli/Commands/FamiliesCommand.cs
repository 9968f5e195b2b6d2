using System.CommandLine;
using Spectre.Console;

namespace MetaRec.Cli.Commands;

/// <summary><c>metarec families</c>: the model families the plugins provide, and plugins that failed.</summary>
internal static class FamiliesCommand
{
    public static Command Create()
    {
        var command = new Command("families", "List the model families loaded from the plugins folder.");
        command.SetAction(_ => CliHost.Guard(() =>
        {
            var catalog = CliHost.Start(threads: 1);
            var table = new Table().AddColumns("family", "description");
            foreach (var family in catalog.Families)
            {
                table.AddRow(Markup.Escape(family.Name), Markup.Escape(family.Description));
            }
            AnsiConsole.Write(table);
            return catalog.Failures.Count == 0 ? 0 : 1;
        }));
        return command;
    }
}
