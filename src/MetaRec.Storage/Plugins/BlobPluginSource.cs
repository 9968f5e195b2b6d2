using System.Security.Cryptography;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace MetaRec.Storage.Plugins;

/// <summary>A plugin file that was not installed, and why.</summary>
public sealed record RefusedPluginFile(string Plugin, string File, string Reason);

/// <summary>What <see cref="BlobPluginSource.InstallAsync"/> did.</summary>
public sealed record PluginInstallReport(IReadOnlyList<string> Installed, IReadOnlyList<RefusedPluginFile> Refused);

/// <summary>
/// Plugins kept in a Blob container as <c>plugins/{Plugin}/{file}</c>. Each plugin's files are
/// downloaded to a staging folder and hashed; a plugin is installed into the local plugins
/// folder (for the core's plugin loader) only if every one of its files has a SHA-256 on the
/// allow-list. A tampered or unlisted file refuses its whole plugin, reported by name; the
/// other plugins still install.
/// </summary>
public sealed class BlobPluginSource(BlobContainerClient container, IReadOnlySet<string> allowedSha256)
{
    public async Task<PluginInstallReport> InstallAsync(string pluginsFolder, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(pluginsFolder);
        var byPlugin = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, "plugins/", cancellation).ConfigureAwait(false))
        {
            var parts = blob.Name.Split('/');
            if (parts.Length == 3 && IsSafe(parts[1]) && IsSafe(parts[2]))
            {
                (byPlugin.TryGetValue(parts[1], out var files) ? files : byPlugin[parts[1]] = []).Add(parts[2]);
            }
        }
        var installed = new List<string>();
        var refused = new List<RefusedPluginFile>();
        var root = Path.GetFullPath(pluginsFolder).TrimEnd(Path.DirectorySeparatorChar);
        // Staged beside the plugins folder (same file system, so the final move is a rename) and
        // outside it (so the loader never sees a half-downloaded plugin).
        var stagingRoot = Path.Combine(Path.GetDirectoryName(root) ?? root, ".metarec-plugin-staging");
        foreach (var (plugin, files) in byPlugin)
        {
            var staging = Directory.CreateDirectory(Path.Combine(stagingRoot, $"{plugin}-{Guid.NewGuid():N}"));
            try
            {
                var problems = new List<RefusedPluginFile>();
                foreach (var file in files)
                {
                    var path = Path.Combine(staging.FullName, file);
                    await container.GetBlobClient($"plugins/{plugin}/{file}").DownloadToAsync(path, cancellation).ConfigureAwait(false);
                    var hash = await HashAsync(path, cancellation).ConfigureAwait(false);
                    if (!allowedSha256.Contains(hash))
                    {
                        problems.Add(new RefusedPluginFile(plugin, file, $"SHA-256 {hash} is not on the allow-list"));
                    }
                }
                if (problems.Count > 0)
                {
                    refused.AddRange(problems);
                    continue;
                }
                var target = Path.Combine(root, plugin);
                if (Directory.Exists(target))
                {
                    Directory.Delete(target, recursive: true);
                }
                Directory.CreateDirectory(root);
                Directory.Move(staging.FullName, target);
                installed.Add(plugin);
            }
            finally
            {
                if (staging.Exists && Directory.Exists(staging.FullName))
                {
                    staging.Delete(recursive: true);
                }
            }
        }
        return new PluginInstallReport(installed, refused);
    }

    /// <summary>Lower-case hex SHA-256 of a file, the form the allow-list holds.</summary>
    public static async Task<string> HashAsync(string path, CancellationToken cancellation = default)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellation).ConfigureAwait(false));
    }

    private static bool IsSafe(string name) =>
        name.Length is > 0 and <= 128 && name != "." && name != ".." && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
}
