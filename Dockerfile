# The sldbench image that docker-compose.yml runs (dashboard, sweep workers, sweep submit). Stage one publishes
# the CLI with the .NET SDK; the runtime stage holds the published CLI and the apt packages of the `runtime`
# group of apt-packages.txt (the list run.sh installs from). Tensors come from the TorchSharp NuGet packages:
# TORCH_BACKEND=cuda publishes the CUDA build (GPU workers), cpu the CPU one. The base images are build
# arguments, so a registry mirror or a locally made image can stand in for the public ones.
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0

FROM ${SDK_IMAGE} AS build
ARG TORCH_BACKEND=cpu
WORKDIR /src
COPY . .
RUN dotnet publish harness/Sld.Bench.Cli/Sld.Bench.Cli.csproj -c Release -o /app -p:TorchBackend=${TORCH_BACKEND}

FROM ${RUNTIME_IMAGE} AS runtime
COPY run.sh apt-packages.txt /opt/sldbench/
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(/opt/sldbench/run.sh packages runtime) \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /app /app
# /data is the shared artifacts volume (runs, corpora, features, tokenizers); a new named volume takes this
# folder's owner, so the unprivileged user can write it. APP_UID is the aspnet images' non-root user.
RUN mkdir -p /data /experiments && chown "${APP_UID:-1654}" /data
ARG GIT_COMMIT=
ENV SLDBENCH_GIT_COMMIT=${GIT_COMMIT} \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
USER ${APP_UID:-1654}
WORKDIR /data
ENTRYPOINT ["/app/sldbench"]
CMD ["--help"]
