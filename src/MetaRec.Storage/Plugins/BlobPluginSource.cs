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
/// folder (for the core's plugin loader) only if each of its files is on the allow-list under
/// its own name, <c>{Plugin}/{file}</c>, with that file's SHA-256, and no listed file is missing.
/// So a tampered file, an unlisted one, allowed bytes under another name (a rename, two files
/// swapped) and a hash listed for a different file all refuse the whole plugin, reported by
/// name; the other plugins still install. The installed folder replaces whatever was there,
/// a symbolic link included (the link goes, its target is not touched).
/// </summary>
public sealed class BlobPluginSource(BlobContainerClient container, IReadOnlyDictionary<string, string> allowedSha256)
{
    /// <summary>The allow-list entry of a plugin's file: <c>{Plugin}/{file}</c> (ordinal).</summary>
    public static string Key(string plugin, string file) => $"{plugin}/{file}";

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
                    if (!allowedSha256.TryGetValue(Key(plugin, file), out var expected))
                    {
                        problems.Add(new RefusedPluginFile(plugin, file, $"{Key(plugin, file)} is not on the allow-list"));
                    }
                    else if (!string.Equals(expected, hash, StringComparison.OrdinalIgnoreCase))
                    {
                        problems.Add(new RefusedPluginFile(plugin, file, $"SHA-256 {hash} is not the allow-list's {expected} for {Key(plugin, file)}"));
                    }
                }
                foreach (var listed in allowedSha256.Keys.Where(k => k.StartsWith(plugin + "/", StringComparison.Ordinal)))
                {
                    var file = listed[(plugin.Length + 1)..];
                    if (!files.Contains(file, StringComparer.Ordinal))
                    {
                        problems.Add(new RefusedPluginFile(plugin, file, $"{listed} is on the allow-list but not in storage"));
                    }
                }
                if (problems.Count > 0)
                {
                    refused.AddRange(problems);
                    continue;
                }
                var target = Path.Combine(root, plugin);
                if (new DirectoryInfo(target) is { Exists: true, LinkTarget: not null } link)
                {
                    link.Delete(); // the link only, never what it points to
                }
                else if (File.Exists(target))
                {
                    File.Delete(target);
                }
                else if (Directory.Exists(target))
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
