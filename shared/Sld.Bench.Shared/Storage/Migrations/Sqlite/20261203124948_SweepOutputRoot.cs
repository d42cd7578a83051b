using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sld.Bench.Shared.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SweepOutputRoot : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "output_root",
                table: "sweeps",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "output_root",
                table: "sweeps");
        }
    }
}
