namespace MetaRec.Core.Data;

/// <summary>Reads a dataset in whichever supported format the path holds.</summary>
public static class DatasetReader
{
    /// <summary>
    /// Detects the format and reads it: a folder with <c>dataset.json</c> is a
    /// <see cref="DatasetFolder"/> (the project's own format), with <c>u.data</c> MovieLens 100K, with
    /// <c>ratings.dat</c> MovieLens 1M, with <c>ratings.csv</c> and <c>movies.csv</c> MovieLens
    /// latest; a <c>.csv</c> file is a <see cref="GenericCsv"/> file.
    /// </summary>
    /// <exception cref="InvalidDataException">The path holds none of these.</exception>
    public static InteractionDataset Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (File.Exists(path))
        {
            return string.Equals(Path.GetExtension(path), ".csv", StringComparison.OrdinalIgnoreCase)
                ? GenericCsv.Read(path)
                : throw Unrecognised(path, $"'{Path.GetFileName(path)}' is a file but not a .csv file");
        }
        if (!Directory.Exists(path))
        {
            throw new FileNotFoundException($"No dataset file or folder at '{path}'.", path);
        }
        bool Has(string file) => File.Exists(Path.Combine(path, file));
        if (Has(DatasetFolder.MetadataFile))
        {
            return DatasetFolder.Read(path);
        }
        if (Has(MovieLens100K.RatingsFile))
        {
            return MovieLens100K.Read(path);
        }
        if (Has(MovieLens1M.RatingsFile))
        {
            return MovieLens1M.Read(path);
        }
        if (Has(MovieLensLatest.RatingsFile) && Has(MovieLensLatest.ItemsFile))
        {
            return MovieLensLatest.Read(path);
        }
        throw Unrecognised(path, "the folder holds none of the expected files");
    }

    private static InvalidDataException Unrecognised(string path, string why) =>
        new($"Cannot tell the dataset format of '{path}': {why}. Looked for a folder with dataset.json (MetaRec dataset folder), u.data (MovieLens 100K), " +
            "ratings.dat (MovieLens 1M) or ratings.csv + movies.csv (MovieLens latest), or a .csv file whose header " +
            $"names {GenericCsvHeader.Expected} (generic).");
}
