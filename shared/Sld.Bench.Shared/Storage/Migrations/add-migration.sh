#!/usr/bin/env bash
# Adds one EF Core migration to both migration sets (SQLite and PostgreSQL) after a change to the model in
# ResultsDbContext/Entities. Usage: shared/Sld.Bench.Shared/Storage/Migrations/add-migration.sh NAME
# EF Core Design does not restore as a package here, so SLDBENCH_EF_DESIGN=true switches on the workaround
# in Sld.Bench.Shared.csproj (docs: shared/docs/packages.md); the dotnet-ef tool is pinned in dotnet-tools.json.
set -euo pipefail
name="${1:?usage: $0 MIGRATION_NAME}"
cd "$(dirname "$0")/../../../.."
export SLDBENCH_EF_DESIGN=true
dotnet tool restore >/dev/null
project=shared/Sld.Bench.Shared/Sld.Bench.Shared.csproj
for provider in Sqlite Postgres; do
  dotnet ef migrations add "$name" --project "$project" --startup-project "$project" \
    --context "${provider}ResultsDbContext" --output-dir "Storage/Migrations/$provider"
done
# Leave the ordinary (design-free) restore in place for the next build.
unset SLDBENCH_EF_DESIGN
dotnet restore "$project" >/dev/null
