// Compiled twice: by MSBuild's RoslynCodeTaskFactory as the inline task that
// build/TorchSharpNative.targets runs after native assets reach an output folder, and by
// tests/MetaRec.Build.Tests with METAREC_ELF_NO_MSBUILD defined, which tests the ELF logic
// on real files. Keep it free of anything newer than netstandard2.0 so both compile it.
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
#if !METAREC_ELF_NO_MSBUILD
using System.Runtime.InteropServices;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
#endif

namespace MetaRec.Build
{
    /// <summary>A file is not the ELF shared object the patch expects.</summary>
    public sealed class ElfFormatException : Exception
    {
        public ElfFormatException(string path, string reason)
            : base(path + ": " + reason)
        {
        }
    }

    /// <summary>What <see cref="ElfVersions.MarkRequirementWeak"/> did to a file.</summary>
    public enum WeakenOutcome
    {
        /// <summary>The requirement was strong and is now weak.</summary>
        Patched,

        /// <summary>The requirement was already weak; the file was not written.</summary>
        AlreadyWeak,
    }

    /// <summary>
    /// Reads and edits the GNU symbol-versioning sections of a 64-bit little-endian ELF file:
    /// versions a library defines (<c>.gnu.version_d</c>) and versions it needs from its
    /// dependencies (<c>.gnu.version_r</c>).
    /// </summary>
    public static class ElfVersions
    {
        private const uint ShtGnuVerdef = 0x6ffffffd;
        private const uint ShtGnuVerneed = 0x6ffffffe;
        private const ushort VerFlgWeak = 0x2;

        /// <summary>One (dependency, version) requirement from <c>.gnu.version_r</c>.</summary>
        public sealed class Requirement
        {
            internal Requirement(string file, string version, bool weak, long flagsOffset)
            {
                File = file;
                Version = version;
                IsWeak = weak;
                FlagsOffset = flagsOffset;
            }

            public string File { get; }

            public string Version { get; }

            public bool IsWeak { get; }

            internal long FlagsOffset { get; }
        }

        /// <summary>Version names a shared library defines, such as <c>GLIBCXX_3.4.30</c>.</summary>
        public static ISet<string> DefinedVersions(string path)
        {
            var elf = Read(path);
            var result = new HashSet<string>(StringComparer.Ordinal);
            foreach (var section in Sections(path, elf).Where(s => s.Type == ShtGnuVerdef))
            {
                var strtab = StringTable(path, elf, section.Link);
                long entry = section.Offset;
                for (uint i = 0; i < section.Info; i++)
                {
                    uint aux = U32(path, elf, entry + 12);
                    uint next = U32(path, elf, entry + 16);
                    // The first auxiliary entry names the version itself; later ones its parents.
                    result.Add(Name(path, elf, strtab, U32(path, elf, entry + aux)));
                    if (next == 0)
                    {
                        break;
                    }
                    entry += next;
                }
            }
            return result;
        }

        /// <summary>Every version requirement the file records.</summary>
        public static IReadOnlyList<Requirement> Requirements(string path) => Requirements(path, Read(path));

        /// <summary>
        /// Sets <c>VER_FLG_WEAK</c> on the requirement (<paramref name="file"/>, <paramref name="version"/>)
        /// so the dynamic loader accepts a dependency that lacks that version. The file is replaced
        /// through a temporary file and a rename, so a hard link to it (a package cache) is never
        /// written through; its timestamp is kept so incremental copies see it as unchanged.
        /// </summary>
        /// <exception cref="ElfFormatException">The file is not ELF64 little-endian, has no
        /// version-requirement section, or does not require that version of that file.</exception>
        public static WeakenOutcome MarkRequirementWeak(string path, string file, string version)
        {
            var elf = Read(path);
            var requirement = Requirements(path, elf).FirstOrDefault(r => r.File == file && r.Version == version)
                ?? throw new ElfFormatException(path, "no requirement of " + version + " from " + file + " in .gnu.version_r");
            if (requirement.IsWeak)
            {
                return WeakenOutcome.AlreadyWeak;
            }

            ushort flags = (ushort)(elf[requirement.FlagsOffset] | (elf[requirement.FlagsOffset + 1] << 8));
            flags |= VerFlgWeak;
            elf[requirement.FlagsOffset] = (byte)(flags & 0xff);
            elf[requirement.FlagsOffset + 1] = (byte)(flags >> 8);

            var lastWrite = File.GetLastWriteTimeUtc(path);
            var temporary = path + ".weaken-" + Guid.NewGuid().ToString("N");
            try
            {
                File.WriteAllBytes(temporary, elf);
                File.SetLastWriteTimeUtc(temporary, lastWrite);
                File.Delete(path);
                File.Move(temporary, path);
            }
            finally
            {
                if (File.Exists(temporary))
                {
                    File.Delete(temporary);
                }
            }
            return WeakenOutcome.Patched;
        }

        private static List<Requirement> Requirements(string path, byte[] elf)
        {
            var result = new List<Requirement>();
            var sections = Sections(path, elf).Where(s => s.Type == ShtGnuVerneed).ToList();
            if (sections.Count == 0)
            {
                throw new ElfFormatException(path, "no .gnu.version_r (SHT_GNU_verneed) section");
            }
            foreach (var section in sections)
            {
                var strtab = StringTable(path, elf, section.Link);
                long need = section.Offset;
                for (uint i = 0; i < section.Info; i++)
                {
                    ushort count = U16(path, elf, need + 2);
                    string fileName = Name(path, elf, strtab, U32(path, elf, need + 4));
                    long aux = need + U32(path, elf, need + 8);
                    for (ushort j = 0; j < count; j++)
                    {
                        ushort flags = U16(path, elf, aux + 4);
                        string versionName = Name(path, elf, strtab, U32(path, elf, aux + 8));
                        result.Add(new Requirement(fileName, versionName, (flags & VerFlgWeak) != 0, aux + 4));
                        uint nextAux = U32(path, elf, aux + 12);
                        if (nextAux == 0)
                        {
                            break;
                        }
                        aux += nextAux;
                    }
                    uint next = U32(path, elf, need + 12);
                    if (next == 0)
                    {
                        break;
                    }
                    need += next;
                }
            }
            return result;
        }

        private readonly struct Section
        {
            public Section(uint type, long offset, long size, uint link, uint info)
            {
                Type = type;
                Offset = offset;
                Size = size;
                Link = link;
                Info = info;
            }

            public uint Type { get; }

            public long Offset { get; }

            public long Size { get; }

            public uint Link { get; }

            public uint Info { get; }
        }

        private static byte[] Read(string path)
        {
            if (!File.Exists(path))
            {
                throw new ElfFormatException(path, "file not found");
            }
            var elf = File.ReadAllBytes(path);
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            {
                throw new ElfFormatException(path, "not an ELF file (bad magic)");
            }
            if (elf[4] != 2 || elf[5] != 1)
            {
                throw new ElfFormatException(path, "not a 64-bit little-endian ELF file (class " + elf[4] + ", data " + elf[5] + ")");
            }
            return elf;
        }

        private static List<Section> Sections(string path, byte[] elf)
        {
            long shoff = (long)U64(path, elf, 0x28);
            ushort entsize = U16(path, elf, 0x3a);
            ushort count = U16(path, elf, 0x3c);
            if (shoff == 0 || count == 0)
            {
                throw new ElfFormatException(path, "no section header table");
            }
            if (entsize != 64)
            {
                throw new ElfFormatException(path, "unexpected section header size " + entsize);
            }
            var sections = new List<Section>(count);
            for (int i = 0; i < count; i++)
            {
                long header = shoff + (i * 64L);
                sections.Add(new Section(
                    U32(path, elf, header + 4),
                    (long)U64(path, elf, header + 24),
                    (long)U64(path, elf, header + 32),
                    U32(path, elf, header + 40),
                    U32(path, elf, header + 44)));
            }
            return sections;
        }

        private static Section StringTable(string path, byte[] elf, uint index)
        {
            var sections = Sections(path, elf);
            if (index >= sections.Count)
            {
                throw new ElfFormatException(path, "string table index " + index + " out of range");
            }
            return sections[(int)index];
        }

        private static string Name(string path, byte[] elf, Section strtab, uint offset)
        {
            long start = strtab.Offset + offset;
            long end = start;
            long limit = strtab.Offset + strtab.Size;
            while (end < limit && end < elf.Length && elf[end] != 0)
            {
                end++;
            }
            if (offset >= strtab.Size || end >= limit)
            {
                throw new ElfFormatException(path, "string at offset " + offset + " runs outside its table");
            }
            return Encoding.ASCII.GetString(elf, (int)start, (int)(end - start));
        }

        private static void Check(string path, byte[] elf, long offset, int size)
        {
            if (offset < 0 || offset + size > elf.Length)
            {
                throw new ElfFormatException(path, "truncated: read of " + size + " bytes at " + offset + " past end " + elf.Length);
            }
        }

        private static ushort U16(string path, byte[] elf, long offset)
        {
            Check(path, elf, offset, 2);
            return BitConverter.ToUInt16(elf, (int)offset);
        }

        private static uint U32(string path, byte[] elf, long offset)
        {
            Check(path, elf, offset, 4);
            return BitConverter.ToUInt32(elf, (int)offset);
        }

        private static ulong U64(string path, byte[] elf, long offset)
        {
            Check(path, elf, offset, 8);
            return BitConverter.ToUInt64(elf, (int)offset);
        }
    }

#if !METAREC_ELF_NO_MSBUILD
    /// <summary>
    /// MSBuild task: where the machine's libstdc++ lacks versions that the given native files
    /// require, marks those requirements weak in the files (output copies only). Only versions
    /// listed in <see cref="Weakenable"/> may be weakened; any other missing version fails the
    /// build, because the library would then really call into code the system lacks.
    /// </summary>
    public sealed class WeakenLibStdCxxRequirements : Task
    {
        private static readonly string[] Candidates =
        {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib64/libstdc++.so.6",
            "/lib64/libstdc++.so.6",
            "/usr/lib/libstdc++.so.6",
        };

        /// <summary>Native files in an output folder (never in a package cache).</summary>
        [Required]
        public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();

        /// <summary>Semicolon-separated versions known to be safe to weaken.</summary>
        [Required]
        public string Weakenable { get; set; } = string.Empty;

        /// <summary><c>auto</c> (patch only if the system lacks a version), <c>always</c>, or <c>never</c>.</summary>
        public string Mode { get; set; } = "auto";

        /// <summary>The libstdc++ to compare against; found in the usual places when empty.</summary>
        public string SystemLibStdCxx { get; set; } = string.Empty;

        public override bool Execute()
        {
            if (Mode == "never" || Files.Length == 0)
            {
                return true;
            }
            if (Mode != "auto" && Mode != "always")
            {
                Log.LogError("MetaRecWeakenGlibcxx must be auto, always or never, not '" + Mode + "'.");
                return false;
            }
            if (Mode == "auto" && !RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
            {
                return true;
            }

            var weakenable = new HashSet<string>(
                Weakenable.Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries).Select(v => v.Trim()),
                StringComparer.Ordinal);
            try
            {
                ISet<string>? defined = Mode == "always" ? null : SystemVersions();
                foreach (var item in Files)
                {
                    Process(item.ItemSpec, weakenable, defined);
                }
            }
            catch (ElfFormatException e)
            {
                Log.LogError("TorchSharp native patch: " + e.Message
                    + ". The build expects TorchSharp's libLibTorchSharp.so (ELF64, with .gnu.version_r requiring libstdc++.so.6 versions); see build/TorchSharpNative.targets.");
            }
            return !Log.HasLoggedErrors;
        }

        private ISet<string> SystemVersions()
        {
            string path = SystemLibStdCxx.Length > 0 ? SystemLibStdCxx : Candidates.FirstOrDefault(File.Exists) ?? string.Empty;
            if (path.Length == 0)
            {
                Log.LogMessage(MessageImportance.High, "TorchSharp native patch: no system libstdc++.so.6 found; weakening the known-safe requirements.");
                return new HashSet<string>(StringComparer.Ordinal);
            }
            return ElfVersions.DefinedVersions(path);
        }

        private void Process(string file, HashSet<string> weakenable, ISet<string>? defined)
        {
            var needed = ElfVersions.Requirements(file).Where(r => r.File == "libstdc++.so.6").ToList();
            var missing = needed.Where(r => defined == null ? weakenable.Contains(r.Version) : !defined.Contains(r.Version)).ToList();
            var unsafeMissing = missing.Where(r => !weakenable.Contains(r.Version) && !r.IsWeak).Select(r => r.Version).ToList();
            if (unsafeMissing.Count > 0)
            {
                Log.LogError("TorchSharp native patch: " + file + " needs " + string.Join(", ", unsafeMissing)
                    + " from libstdc++.so.6, which this machine's libstdc++ lacks, and only " + string.Join(", ", weakenable)
                    + " is known to be safe to weaken. Install a newer libstdc++ or use a TorchSharp built for this system.");
                return;
            }
            foreach (var requirement in missing)
            {
                var outcome = ElfVersions.MarkRequirementWeak(file, requirement.File, requirement.Version);
                Log.LogMessage(
                    outcome == WeakenOutcome.Patched ? MessageImportance.Normal : MessageImportance.Low,
                    "TorchSharp native patch: " + requirement.Version + " in " + file + ": " + outcome);
            }
        }
    }
#endif
}
