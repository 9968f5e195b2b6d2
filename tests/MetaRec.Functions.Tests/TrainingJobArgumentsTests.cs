using MetaRec.Functions.Training;
using MetaRec.Storage;

namespace MetaRec.Functions.Tests;

/// <summary>The storage flags a training job gets, so that it registers its checkpoint where the app reads.</summary>
public sealed class TrainingJobArgumentsTests
{
    [Fact]
    public void An_identity_based_app_passes_its_account_urls_and_no_secret()
    {
        var storage = new StorageOptions
        {
            Backend = "azure",
            BlobServiceUrl = new Uri("https://metarecprod.blob.core.windows.net"),
            TableServiceUrl = new Uri("https://metarecprod.table.core.windows.net"),
            Container = "models",
            Table = "states",
        };

        Assert.Equal(
            ["--storage-blob-url", "https://metarecprod.blob.core.windows.net/", "--storage-table-url", "https://metarecprod.table.core.windows.net/", "--storage-container", "models", "--storage-table", "states"],
            TrainingServices.StorageArguments(storage));
    }

    [Fact]
    public void A_connection_string_never_goes_on_the_command_line()
    {
        var storage = new StorageOptions { Backend = "azure", ConnectionString = "UseDevelopmentStorage=true", Container = "models", Table = "states" };

        var arguments = TrainingServices.StorageArguments(storage);

        Assert.Equal(["--storage-container", "models", "--storage-table", "states"], arguments);
        Assert.DoesNotContain(arguments, a => a.Contains("UseDevelopmentStorage", StringComparison.Ordinal));
    }
}
