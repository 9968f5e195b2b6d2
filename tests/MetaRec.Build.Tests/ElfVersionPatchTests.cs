using System.Diagnostics;
using System.Reflection;
using System.Security.Cryptography;

namespace MetaRec.Build.Tests;

public sealed class ElfVersionPatchTests : IDisposable
{
    private const string LibStdCxx = "libstdc++.so.6";
    private const string Version = "GLIBCXX_3.4.32";
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("metarec-elf-");

    public void Dispose() => _temp.Delete(recursive: true);

    [Fact]
    public void The_package_cache_library_strongly_requires_the_version_the_fix_weakens_and_stays_so()
    {
        var requirement = Assert.Single(
            ElfVersions.Requirements(PackageNative()), r => r.File == LibStdCxx && r.Version == Version);
        Assert.False(requirement.IsWeak);
    }

    [Fact]
    public void Weakening_sets_one_flag_bit_and_is_idempotent()
    {
        var copy = CopyOfPackageNative();
        var before = File.ReadAllBytes(copy);

        Assert.Equal(WeakenOutcome.Patched, ElfVersions.MarkRequirementWeak(copy, LibStdCxx, Version));
        var after = File.ReadAllBytes(copy);
        Assert.Equal(before.Length, after.Length);
        var changed = Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).ToList();
        var index = Assert.Single(changed);
        Assert.Equal(0x2, after[index] ^ before[index]);
        Assert.True(ElfVersions.Requirements(copy).Single(r => r.Version == Version).IsWeak);
        // Every other requirement is left as it was.
        Assert.All(ElfVersions.Requirements(copy).Where(r => r.Version != Version), r => Assert.False(r.IsWeak));

        Assert.Equal(WeakenOutcome.AlreadyWeak, ElfVersions.MarkRequirementWeak(copy, LibStdCxx, Version));
        Assert.Equal(after, File.ReadAllBytes(copy));
    }

    [Fact]
    public void Weakening_a_hard_link_leaves_the_other_name_untouched()
    {
        // Output folders may hard-link package-cache files; the patch must never write through.
        var original = CopyOfPackageNative();
        var link = Path.Combine(_temp.FullName, "linked.so");
        using (var ln = Process.Start("ln", [original, link]))
        {
            ln.WaitForExit();
            Assert.Equal(0, ln.ExitCode);
        }
        var hash = Sha256(original);

        ElfVersions.MarkRequirementWeak(link, LibStdCxx, Version);

        Assert.Equal(hash, Sha256(original));
        Assert.NotEqual(hash, Sha256(link));
    }

    [Fact]
    public void The_build_output_copy_is_weak_exactly_when_the_system_libstdcxx_lacks_the_version()
    {
        var systemLacks = !ElfVersions.DefinedVersions(SystemLibStdCxx()).Contains(Version);
        var output = Metadata("MetaRec.CoreTestsNative");
        Assert.True(File.Exists(output), $"expected the Core tests' output copy at {output}");

        var requirement = ElfVersions.Requirements(output).Single(r => r.File == LibStdCxx && r.Version == Version);

        Assert.Equal(systemLacks, requirement.IsWeak);
    }

    [Fact]
    public void Defined_versions_of_the_system_libstdcxx_include_the_base_version()
    {
        var defined = ElfVersions.DefinedVersions(SystemLibStdCxx());
        Assert.Contains("GLIBCXX_3.4", defined);
        Assert.Contains("CXXABI_1.3", defined);
    }

    [Fact]
    public void A_file_that_is_not_elf_is_refused_with_its_path()
    {
        var path = Path.Combine(_temp.FullName, "not-elf.so");
        File.WriteAllText(path, "this is a text file, not a shared object");

        var error = Assert.Throws<ElfFormatException>(() => ElfVersions.MarkRequirementWeak(path, LibStdCxx, Version));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("not an ELF file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_library_is_refused_and_left_as_it_was()
    {
        var path = Path.Combine(_temp.FullName, "truncated.so");
        File.WriteAllBytes(path, File.ReadAllBytes(PackageNative()).AsSpan(0, 4096).ToArray());
        var before = File.ReadAllBytes(path);

        var error = Assert.Throws<ElfFormatException>(() => ElfVersions.MarkRequirementWeak(path, LibStdCxx, Version));

        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    [Fact]
    public void A_library_without_the_requirement_is_refused()
    {
        var copy = CopyOfPackageNative();
        var error = Assert.Throws<ElfFormatException>(() => ElfVersions.MarkRequirementWeak(copy, LibStdCxx, "GLIBCXX_9.9.99"));
        Assert.Contains("GLIBCXX_9.9.99", error.Message, StringComparison.Ordinal);
    }

    private string CopyOfPackageNative()
    {
        var path = Path.Combine(_temp.FullName, $"lib-{Guid.NewGuid():N}.so");
        File.Copy(PackageNative(), path);
        return path;
    }

    private static string PackageNative()
    {
        var path = Metadata("MetaRec.TorchSharpPackageNative");
        Assert.True(File.Exists(path), $"TorchSharp package native not found at {path}");
        return path;
    }

    private static string SystemLibStdCxx()
    {
        string[] candidates = ["/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/lib64/libstdc++.so.6"];
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException("no system libstdc++.so.6 in " + string.Join(", ", candidates));
    }

    private static string Sha256(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    private static string Metadata(string key) =>
        typeof(ElfVersionPatchTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
