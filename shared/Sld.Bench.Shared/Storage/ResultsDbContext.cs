// The EF Core model of the results database, with one subclass per provider so that SQLite and PostgreSQL
// each get their own migration set (column types, identity columns and the model snapshot differ by
// provider). Tables and columns are snake_case in both, so the store's hand-written SQL is shared.
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Sld.Bench.Shared.Storage;

public abstract class ResultsDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<Sweep> Sweeps => Set<Sweep>();
    public DbSet<Run> Runs => Set<Run>();
    public DbSet<RunAxisValue> RunAxisValues => Set<RunAxisValue>();
    public DbSet<StepMetric> StepMetrics => Set<StepMetric>();
    public DbSet<Evaluation> Evaluations => Set<Evaluation>();
    public DbSet<UtteranceResult> UtteranceResults => Set<UtteranceResult>();
    public DbSet<Artifact> Artifacts => Set<Artifact>();
    public DbSet<Checkpoint> Checkpoints => Set<Checkpoint>();

    protected override void OnModelCreating(ModelBuilder b)
    {
        b.Entity<Sweep>(e =>
        {
            e.ToTable("sweeps");
            e.HasIndex(x => x.Name).IsUnique();
            e.Property(x => x.PlanHash).HasMaxLength(64);
        });
        b.Entity<Run>(e =>
        {
            e.ToTable("runs");
            e.Property(x => x.Index).HasColumnName("idx");
            e.Property(x => x.Status).HasConversion(LowerCaseEnum<RunStatus>()).HasMaxLength(16);
            e.Property(x => x.ConfigHash).HasMaxLength(64);
            e.Property(x => x.SettingHash).HasMaxLength(64);
            e.HasIndex(x => new { x.SweepId, x.ConfigHash }).IsUnique();
            e.HasIndex(x => new { x.SweepId, x.Status, x.Index });
            e.HasIndex(x => x.ConfigHash);
            e.HasIndex(x => x.SettingHash);
            e.HasOne(x => x.Sweep).WithMany(s => s.Runs).HasForeignKey(x => x.SweepId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<RunAxisValue>(e =>
        {
            e.ToTable("run_axis_values");
            e.HasKey(x => new { x.RunId, x.Axis });
            e.HasIndex(x => new { x.Axis, x.ValueText });
            e.HasOne<Run>().WithMany(r => r.AxisValues).HasForeignKey(x => x.RunId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<StepMetric>(e =>
        {
            e.ToTable("step_metrics");
            e.HasKey(x => new { x.RunId, x.Name, x.Step });
            e.HasOne<Run>().WithMany().HasForeignKey(x => x.RunId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<Evaluation>(e =>
        {
            e.ToTable("evaluations");
            e.HasIndex(x => new { x.RunId, x.TestSet }).IsUnique();
            e.HasIndex(x => new { x.TestSet, x.Wer });
            e.HasOne<Run>().WithMany(r => r.Evaluations).HasForeignKey(x => x.RunId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<UtteranceResult>(e =>
        {
            e.ToTable("utterance_results");
            e.HasKey(x => new { x.EvaluationId, x.UtteranceId });
            // The dashboard lists one evaluation's utterances by errors and filters by speaker.
            e.HasIndex(x => new { x.EvaluationId, x.Errors });
            e.HasIndex(x => new { x.EvaluationId, x.Speaker });
            e.HasOne<Evaluation>().WithMany(v => v.Utterances).HasForeignKey(x => x.EvaluationId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<Artifact>(e =>
        {
            e.ToTable("artifacts");
            e.HasKey(x => x.Hash);
            e.Property(x => x.Hash).HasMaxLength(64);
            e.Property(x => x.Status).HasConversion(LowerCaseEnum<ArtifactStatus>()).HasMaxLength(16);
            e.HasIndex(x => new { x.Stage, x.Kind });
        });
        b.Entity<Checkpoint>(e =>
        {
            e.ToTable("checkpoints");
            e.HasIndex(x => new { x.RunId, x.Step }).IsUnique();
            e.HasOne<Run>().WithMany(r => r.Checkpoints).HasForeignKey(x => x.RunId).OnDelete(DeleteBehavior.Cascade);
        });

        foreach (var entity in b.Model.GetEntityTypes())
            foreach (var property in entity.GetProperties())
                if (property.GetColumnName() == property.Name) property.SetColumnName(SnakeCase(property.Name));
    }

    private static ValueConverter<T, string> LowerCaseEnum<T>() where T : struct, Enum =>
        new(v => v.ToString().ToLowerInvariant(), v => Enum.Parse<T>(v, true));

    internal static string SnakeCase(string name)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0) sb.Append('_');
            sb.Append(char.ToLowerInvariant(name[i]));
        }
        return sb.ToString();
    }
}

public sealed class SqliteResultsDbContext(DbContextOptions<SqliteResultsDbContext> options) : ResultsDbContext(options)
{
    protected override void OnModelCreating(ModelBuilder b)
    {
        base.OnModelCreating(b);
        // SQLite keeps DateTime as text without a kind; everything the store writes is UTC.
        var utc = new ValueConverter<DateTime, DateTime>(v => v, v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
        var utcNullable = new ValueConverter<DateTime?, DateTime?>(v => v, v => v == null ? null : DateTime.SpecifyKind(v.Value, DateTimeKind.Utc));
        foreach (var entity in b.Model.GetEntityTypes())
            foreach (var property in entity.GetProperties())
            {
                if (property.ClrType == typeof(DateTime)) property.SetValueConverter(utc);
                else if (property.ClrType == typeof(DateTime?)) property.SetValueConverter(utcNullable);
            }
    }
}

public sealed class PostgresResultsDbContext(DbContextOptions<PostgresResultsDbContext> options) : ResultsDbContext(options);

/// <summary>Lets `dotnet ef migrations add --context SqliteResultsDbContext` build the model without a database.</summary>
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteResultsDbContext>
{
    public SqliteResultsDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteResultsDbContext>().UseSqlite("Data Source=design-time.db").Options);
}

/// <summary>Lets `dotnet ef migrations add --context PostgresResultsDbContext` build the model without a server.</summary>
public sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresResultsDbContext>
{
    public PostgresResultsDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresResultsDbContext>().UseNpgsql("Host=localhost;Database=sldbench_design").Options);
}
