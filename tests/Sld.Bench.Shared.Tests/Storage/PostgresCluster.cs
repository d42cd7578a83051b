// A throw-away PostgreSQL cluster for the store tests: initdb in a temp folder, pg_ctl start on a free
// loopback port, one fresh database per test, stopped and deleted afterwards. initdb refuses to run as root,
// so as root it runs as the `postgres` user that Debian's package creates. Missing binaries fail the tests.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Sld.Bench.Shared.Tests.Storage;

public sealed class PostgresCluster : IAsyncLifetime
{
    public const string InstallHint = "sudo apt-get install -y postgresql";
    private const string ServiceUser = "postgres";

    private string? _dir;
    private string? _binDir;
    private bool _asServiceUser;
    private int _port;

    private string DataDir => Path.Combine(_dir!, "data");

    public string AdminConnectionString => $"Host=127.0.0.1;Port={_port};Username=postgres;Database=postgres;Pooling=false";

    public async Task InitializeAsync()
    {
        _binDir = FindBinDir() ?? throw new InvalidOperationException(
            $"PostgreSQL's server binaries (initdb, pg_ctl) are missing; the PostgreSQL store tests need them: {InstallHint}");
        _asServiceUser = Environment.UserName == "root";
        _dir = Directory.CreateTempSubdirectory("sldbench-pg-").FullName;
        if (_asServiceUser)
        {
            if (Run("id", ["-u", ServiceUser]).Code != 0)
                throw new InvalidOperationException($"running as root, the tests start PostgreSQL as the '{ServiceUser}' user, which does not exist: {InstallHint}");
            Check(Run("chown", [ServiceUser, _dir]), "chown");
        }
        _port = FreePort();
        Check(Server("initdb", ["-D", DataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"]), "initdb");
        var options = $"-p {_port} -k {_dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300";
        Check(Server("pg_ctl", ["-D", DataDir, "-l", Path.Combine(_dir, "server.log"), "-o", options, "-w", "-t", "60", "start"]), "pg_ctl start");
        await using var conn = new NpgsqlConnection(AdminConnectionString);
        await conn.OpenAsync();
    }

    /// <summary>A new empty database on the cluster, as the postgresql:// URL the store opens.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "t" + Guid.NewGuid().ToString("N")[..12];
        await using var conn = new NpgsqlConnection(AdminConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", conn);
        await cmd.ExecuteNonQueryAsync();
        return $"postgresql://postgres@127.0.0.1:{_port}/{name}";
    }

    public Task DisposeAsync()
    {
        if (_dir == null) return Task.CompletedTask;
        NpgsqlConnection.ClearAllPools();
        if (_binDir != null && Directory.Exists(DataDir)) Server("pg_ctl", ["-D", DataDir, "-m", "immediate", "-w", "stop"]);
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    private static string? FindBinDir()
    {
        var candidates = new List<string>();
        if (Directory.Exists("/usr/lib/postgresql"))
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
                .Select(d => Path.Combine(d, "bin")));
        candidates.AddRange((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries));
        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")));
    }

    private (int Code, string Output) Server(string tool, IReadOnlyList<string> args)
    {
        var exe = Path.Combine(_binDir!, tool);
        return _asServiceUser ? Run("runuser", ["-u", ServiceUser, "--", exe, .. args]) : Run(exe, args);
    }

    private static (int Code, string Output) Run(string file, IReadOnlyList<string> args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(90)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in 90 s");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    private void Check((int Code, string Output) result, string what)
    {
        if (result.Code == 0) return;
        var log = Path.Combine(_dir!, "server.log");
        throw new InvalidOperationException($"{what} failed ({result.Code}): {result.Output}{(File.Exists(log) ? "\nserver log:\n" + File.ReadAllText(log) : "")}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
