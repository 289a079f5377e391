# Shared helpers for the scripts: repo root, quiet self-installing build.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
CONFIG="${CONFIG:-Release}"
HOST_DIR="$ROOT/server/src/NatsParity.Server.Host/bin/$CONFIG/net10.0"
export NATSPARITY_SERVER="$HOST_DIR/natsparity-server"

need_dotnet() {
  command -v dotnet >/dev/null || { echo "the .NET SDK (dotnet) is required" >&2; exit 1; }
}

build_host() {
  need_dotnet
  dotnet build "$ROOT/server/src/NatsParity.Server.Host" -c "$CONFIG" -nologo -v q -clp:ErrorsOnly >&2
}

build_all() {
  need_dotnet
  dotnet build "$ROOT/NatsParity.sln" -c "$CONFIG" -nologo -v q -clp:ErrorsOnly >&2
}
