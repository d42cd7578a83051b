// File-system faults for reliability tests: a folder made read-only (chmod for a normal user; root ignores
// modes, so a read-only bind mount for root) and a tiny tmpfs that fills up (root only). Each reports at
// start-up whether this machine can make it, so tests that need it skip with the reason instead of lying.
using System.Diagnostics;

namespace Sld.Bench.Testing;

public static class FileSystemFaults
{
    private static readonly bool IsRoot = Environment.UserName == "root";

    /// <summary>Why a read-only folder cannot be made here, or null when it can.</summary>
    public static string? ReadOnlyUnavailable { get; } = Probe(dir => MakeReadOnly(dir).Dispose());

    /// <summary>Why a small full disk cannot be made here, or null when it can.</summary>
    public static string? SmallDiskUnavailable { get; } = Probe(dir => MountSmallDisk(dir, 64 * 1024).Dispose());

    /// <summary>Makes <paramref name="folder"/> read-only to this process until the result is disposed.</summary>
    public static IDisposable MakeReadOnly(string folder)
    {
        if (!IsRoot && !OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(folder);
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
            return new Undo(() =>
            {
                if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(folder, mode);
            });
        }
        Run("mount", "--bind", folder, folder);
        try
        {
            Run("mount", "-o", "remount,bind,ro", folder);
        }
        catch
        {
            Run("umount", folder);
            throw;
        }
        return new Undo(() => Run("umount", "-l", folder));
    }

    /// <summary>Mounts a tmpfs of <paramref name="bytes"/> on <paramref name="folder"/> (root only) until disposed.</summary>
    public static IDisposable MountSmallDisk(string folder, long bytes)
    {
        if (!IsRoot) throw new InvalidOperationException("mounting a tmpfs needs root");
        Directory.CreateDirectory(folder);
        Run("mount", "-t", "tmpfs", "-o", $"size={bytes}", "tmpfs", folder);
        return new Undo(() => Run("umount", "-l", folder));
    }

    private static string? Probe(Action<string> attempt)
    {
        var dir = Directory.CreateTempSubdirectory("sldbench-fsprobe-").FullName;
        try
        {
            attempt(dir);
            return null;
        }
        catch (Exception e)
        {
            return $"this machine cannot make the fault ({e.Message})";
        }
        finally
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static void Run(string tool, params string[] args)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var p = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {tool}");
        var error = p.StandardError.ReadToEnd();
        p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(30_000)) throw new TimeoutException($"{tool} {string.Join(' ', args)} hung");
        if (p.ExitCode != 0) throw new InvalidOperationException($"{tool} {string.Join(' ', args)}: {error.Trim()}");
    }

    private sealed class Undo(Action undo) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0) undo();
        }
    }
}
