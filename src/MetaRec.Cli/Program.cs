using System.CommandLine;
using MetaRec.Cli.Commands;
using Spectre.Console;

if (Console.IsOutputRedirected)
{
    AnsiConsole.Profile.Width = 240; // full tables in logs and CI output
}

var root = new RootCommand("metarec: meta-learned personalization — train, evaluate and benchmark model families.")
{
    DemoCommand.Create(),
    EvaluateCommand.Create(),
    TuneCommand.Create(),
    TrainCommand.Create(),
    FamiliesCommand.Create(),
    BenchCommand.Create(),
    ModelsCommand.Create(),
    EmbeddingsCommand.Create(),
    UsersCommand.Create(),
    IncrementalCommand.Create(),
    PeriodCommand.Create(),
    TransferCommand.Create(),
};
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
