// An MSBuild task (compiled by RoslynCodeTaskFactory from build/TorchSharp.targets) that marks one symbol-version
// need of an ELF shared library weak (VER_FLG_WEAK in .gnu.version_r), so the dynamic linker loads it where the
// needed library lacks that version. Used on the build output's copy of TorchSharp's libLibTorchSharp.so, whose
// GLIBCXX_3.4.32 need Debian 12's libstdc++ (up to 3.4.30) cannot meet; docs/torch.md says why that is safe.
using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public sealed class WeakenVersionNeed : Task
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 0x2;

    /// <summary>The ELF file to change in place (never a package cache's copy).</summary>
    [Required] public string Library { get; set; } = "";

    /// <summary>The needed library whose version becomes weak, e.g. libstdc++.so.6.</summary>
    [Required] public string NeededFile { get; set; } = "";

    /// <summary>The version, e.g. GLIBCXX_3.4.32.</summary>
    [Required] public string Version { get; set; } = "";

    public override bool Execute()
    {
        try
        {
            var bytes = File.ReadAllBytes(Library);
            var offset = FindVersionFlags(bytes);
            if (offset < 0)
            {
                Log.LogMessage(MessageImportance.Low, $"{Library}: no need for {NeededFile} {Version}; nothing to change");
                return true;
            }
            var flags = BitConverter.ToUInt16(bytes, offset);
            if ((flags & VerFlgWeak) != 0) return true;
            using (var f = new FileStream(Library, FileMode.Open, FileAccess.Write))
            {
                f.Position = offset;
                f.Write(BitConverter.GetBytes((ushort)(flags | VerFlgWeak)), 0, 2);
            }
            Log.LogMessage(MessageImportance.Normal, $"{Library}: the need for {NeededFile} {Version} is now weak");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            Log.LogError($"cannot mark {Version} of {NeededFile} weak in {Library}: {e.Message}");
            return false;
        }
    }

    /// <summary>File offset of the vna_flags field of (NeededFile, Version), or -1 when the file has no such need.</summary>
    private int FindVersionFlags(byte[] b)
    {
        if (b.Length < 64 || b[0] != 0x7f || b[1] != (byte)'E' || b[2] != (byte)'L' || b[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (b[4] != 2 || b[5] != 1) throw new InvalidDataException("not a little-endian 64-bit ELF file");
        var shoff = (long)BitConverter.ToUInt64(b, 0x28);
        int shentsize = BitConverter.ToUInt16(b, 0x3A), shnum = BitConverter.ToUInt16(b, 0x3C);
        for (var i = 0; i < shnum; i++)
        {
            var sh = checked((int)(shoff + (long)i * shentsize));
            if (BitConverter.ToUInt32(b, sh + 4) != ShtGnuVerneed) continue;
            var sectionOffset = checked((int)BitConverter.ToUInt64(b, sh + 24));
            var link = BitConverter.ToUInt32(b, sh + 40); // the string table of the names
            var count = BitConverter.ToUInt32(b, sh + 44); // number of Verneed entries
            var strtab = checked((int)BitConverter.ToUInt64(b, checked((int)(shoff + link * shentsize)) + 24));
            var need = sectionOffset;
            for (var n = 0; n < count; n++)
            {
                int auxCount = BitConverter.ToUInt16(b, need + 2);
                var file = CString(b, strtab + (int)BitConverter.ToUInt32(b, need + 4));
                var aux = need + (int)BitConverter.ToUInt32(b, need + 8);
                for (var a = 0; a < auxCount; a++)
                {
                    if (file == NeededFile && CString(b, strtab + (int)BitConverter.ToUInt32(b, aux + 8)) == Version)
                        return aux + 4; // vna_hash (4 bytes) precedes vna_flags
                    aux += (int)BitConverter.ToUInt32(b, aux + 12);
                }
                need += (int)BitConverter.ToUInt32(b, need + 12);
            }
        }
        return -1;
    }

    private static string CString(byte[] b, int at)
    {
        var end = Array.IndexOf(b, (byte)0, at);
        if (end < 0) throw new InvalidDataException("unterminated name in the string table");
        return Encoding.ASCII.GetString(b, at, end - at);
    }
}
