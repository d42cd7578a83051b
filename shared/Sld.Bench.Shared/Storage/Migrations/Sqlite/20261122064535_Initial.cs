using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sld.Bench.Shared.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "artifacts",
                columns: table => new
                {
                    hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    stage = table.Column<string>(type: "TEXT", nullable: false),
                    kind = table.Column<string>(type: "TEXT", nullable: false),
                    config_json = table.Column<string>(type: "TEXT", nullable: false),
                    lineage_json = table.Column<string>(type: "TEXT", nullable: true),
                    stats_json = table.Column<string>(type: "TEXT", nullable: true),
                    path = table.Column<string>(type: "TEXT", nullable: true),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    error = table.Column<string>(type: "TEXT", nullable: true),
                    claim_token = table.Column<string>(type: "TEXT", nullable: true),
                    claimed_by_host = table.Column<string>(type: "TEXT", nullable: true),
                    claimed_by_pid = table.Column<int>(type: "INTEGER", nullable: true),
                    claimed_process_start = table.Column<DateTime>(type: "TEXT", nullable: true),
                    heartbeat_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    completed_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_artifacts", x => x.hash);
                });

            migrationBuilder.CreateTable(
                name: "sweeps",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    file = table.Column<string>(type: "TEXT", nullable: false),
                    overrides_json = table.Column<string>(type: "TEXT", nullable: false),
                    axes_json = table.Column<string>(type: "TEXT", nullable: false),
                    plan_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    cell_count = table.Column<int>(type: "INTEGER", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_sweeps", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "runs",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    sweep_id = table.Column<long>(type: "INTEGER", nullable: false),
                    idx = table.Column<int>(type: "INTEGER", nullable: false),
                    in_plan = table.Column<bool>(type: "INTEGER", nullable: false),
                    config_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    setting_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    seed = table.Column<long>(type: "INTEGER", nullable: true),
                    axes_json = table.Column<string>(type: "TEXT", nullable: false),
                    config_json = table.Column<string>(type: "TEXT", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    error = table.Column<string>(type: "TEXT", nullable: true),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    diverged_step = table.Column<long>(type: "INTEGER", nullable: true),
                    claim_token = table.Column<string>(type: "TEXT", nullable: true),
                    claimed_by_host = table.Column<string>(type: "TEXT", nullable: true),
                    claimed_by_pid = table.Column<int>(type: "INTEGER", nullable: true),
                    claimed_process_start = table.Column<DateTime>(type: "TEXT", nullable: true),
                    heartbeat_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    started_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    ended_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    git_commit = table.Column<string>(type: "TEXT", nullable: true),
                    machine = table.Column<string>(type: "TEXT", nullable: true),
                    device = table.Column<string>(type: "TEXT", nullable: true),
                    libtorch_version = table.Column<string>(type: "TEXT", nullable: true),
                    parameter_count = table.Column<long>(type: "INTEGER", nullable: true),
                    durations_json = table.Column<string>(type: "TEXT", nullable: true),
                    data_hash = table.Column<string>(type: "TEXT", nullable: true),
                    tokenizer_hash = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_runs", x => x.id);
                    table.ForeignKey(
                        name: "FK_runs_sweeps_sweep_id",
                        column: x => x.sweep_id,
                        principalTable: "sweeps",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "checkpoints",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    run_id = table.Column<long>(type: "INTEGER", nullable: false),
                    step = table.Column<long>(type: "INTEGER", nullable: false),
                    path = table.Column<string>(type: "TEXT", nullable: false),
                    is_best = table.Column<bool>(type: "INTEGER", nullable: false),
                    dev_wer = table.Column<double>(type: "REAL", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_checkpoints", x => x.id);
                    table.ForeignKey(
                        name: "FK_checkpoints_runs_run_id",
                        column: x => x.run_id,
                        principalTable: "runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "evaluations",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    run_id = table.Column<long>(type: "INTEGER", nullable: false),
                    test_set = table.Column<string>(type: "TEXT", nullable: false),
                    wer = table.Column<double>(type: "REAL", nullable: false),
                    cer = table.Column<double>(type: "REAL", nullable: false),
                    correct = table.Column<long>(type: "INTEGER", nullable: false),
                    substitutions = table.Column<long>(type: "INTEGER", nullable: false),
                    deletions = table.Column<long>(type: "INTEGER", nullable: false),
                    insertions = table.Column<long>(type: "INTEGER", nullable: false),
                    ref_words = table.Column<long>(type: "INTEGER", nullable: false),
                    char_correct = table.Column<long>(type: "INTEGER", nullable: false),
                    char_substitutions = table.Column<long>(type: "INTEGER", nullable: false),
                    char_deletions = table.Column<long>(type: "INTEGER", nullable: false),
                    char_insertions = table.Column<long>(type: "INTEGER", nullable: false),
                    ref_chars = table.Column<long>(type: "INTEGER", nullable: false),
                    sentences = table.Column<int>(type: "INTEGER", nullable: false),
                    sentence_errors = table.Column<int>(type: "INTEGER", nullable: false),
                    normalization = table.Column<string>(type: "TEXT", nullable: false),
                    decoding_json = table.Column<string>(type: "TEXT", nullable: false),
                    step = table.Column<long>(type: "INTEGER", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_evaluations", x => x.id);
                    table.ForeignKey(
                        name: "FK_evaluations_runs_run_id",
                        column: x => x.run_id,
                        principalTable: "runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "run_axis_values",
                columns: table => new
                {
                    run_id = table.Column<long>(type: "INTEGER", nullable: false),
                    axis = table.Column<string>(type: "TEXT", nullable: false),
                    value_json = table.Column<string>(type: "TEXT", nullable: false),
                    value_text = table.Column<string>(type: "TEXT", nullable: false),
                    value_number = table.Column<double>(type: "REAL", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_run_axis_values", x => new { x.run_id, x.axis });
                    table.ForeignKey(
                        name: "FK_run_axis_values_runs_run_id",
                        column: x => x.run_id,
                        principalTable: "runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "step_metrics",
                columns: table => new
                {
                    run_id = table.Column<long>(type: "INTEGER", nullable: false),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    step = table.Column<long>(type: "INTEGER", nullable: false),
                    value = table.Column<double>(type: "REAL", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_step_metrics", x => new { x.run_id, x.name, x.step });
                    table.ForeignKey(
                        name: "FK_step_metrics_runs_run_id",
                        column: x => x.run_id,
                        principalTable: "runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "utterance_results",
                columns: table => new
                {
                    evaluation_id = table.Column<long>(type: "INTEGER", nullable: false),
                    utterance_id = table.Column<string>(type: "TEXT", nullable: false),
                    speaker = table.Column<string>(type: "TEXT", nullable: true),
                    duration = table.Column<double>(type: "REAL", nullable: false),
                    reference = table.Column<string>(type: "TEXT", nullable: false),
                    hypothesis = table.Column<string>(type: "TEXT", nullable: false),
                    correct = table.Column<int>(type: "INTEGER", nullable: false),
                    substitutions = table.Column<int>(type: "INTEGER", nullable: false),
                    deletions = table.Column<int>(type: "INTEGER", nullable: false),
                    insertions = table.Column<int>(type: "INTEGER", nullable: false),
                    errors = table.Column<int>(type: "INTEGER", nullable: false),
                    ref_words = table.Column<int>(type: "INTEGER", nullable: false),
                    alignment = table.Column<string>(type: "TEXT", nullable: true),
                    metadata_json = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_utterance_results", x => new { x.evaluation_id, x.utterance_id });
                    table.ForeignKey(
                        name: "FK_utterance_results_evaluations_evaluation_id",
                        column: x => x.evaluation_id,
                        principalTable: "evaluations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_artifacts_stage_kind",
                table: "artifacts",
                columns: new[] { "stage", "kind" });

            migrationBuilder.CreateIndex(
                name: "IX_checkpoints_run_id_step",
                table: "checkpoints",
                columns: new[] { "run_id", "step" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_evaluations_run_id_test_set",
                table: "evaluations",
                columns: new[] { "run_id", "test_set" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_evaluations_test_set_wer",
                table: "evaluations",
                columns: new[] { "test_set", "wer" });

            migrationBuilder.CreateIndex(
                name: "IX_run_axis_values_axis_value_text",
                table: "run_axis_values",
                columns: new[] { "axis", "value_text" });

            migrationBuilder.CreateIndex(
                name: "IX_runs_config_hash",
                table: "runs",
                column: "config_hash");

            migrationBuilder.CreateIndex(
                name: "IX_runs_setting_hash",
                table: "runs",
                column: "setting_hash");

            migrationBuilder.CreateIndex(
                name: "IX_runs_sweep_id_config_hash",
                table: "runs",
                columns: new[] { "sweep_id", "config_hash" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_runs_sweep_id_status_idx",
                table: "runs",
                columns: new[] { "sweep_id", "status", "idx" });

            migrationBuilder.CreateIndex(
                name: "IX_sweeps_name",
                table: "sweeps",
                column: "name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_utterance_results_evaluation_id_errors",
                table: "utterance_results",
                columns: new[] { "evaluation_id", "errors" });

            migrationBuilder.CreateIndex(
                name: "IX_utterance_results_evaluation_id_speaker",
                table: "utterance_results",
                columns: new[] { "evaluation_id", "speaker" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "artifacts");

            migrationBuilder.DropTable(
                name: "checkpoints");

            migrationBuilder.DropTable(
                name: "run_axis_values");

            migrationBuilder.DropTable(
                name: "step_metrics");

            migrationBuilder.DropTable(
                name: "utterance_results");

            migrationBuilder.DropTable(
                name: "evaluations");

            migrationBuilder.DropTable(
                name: "runs");

            migrationBuilder.DropTable(
                name: "sweeps");
        }
    }
}
