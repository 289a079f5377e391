# Shared helpers for the scripts: repo root, quiet self-installing build.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
CONFIG="${CONFIG:-Release}"
HOST_DIR="$ROOT/server/src/NatsParity.Server.Host/bin/$CONFIG/net10.0"
# The server as scripts run it: ahead-of-time (ReadyToRun) compiled, so a code path's first use does not wait for the
# JIT (the host JITs fully optimized, ~15 ms for a new path such as the first traced service request); the plain build
# in HOST_DIR is the fallback when that publish is not possible.
R2R_DIR="$ROOT/server/src/NatsParity.Server.Host/bin/$CONFIG/r2r"
if [ -x "$R2R_DIR/natsparity-server" ]; then
  export NATSPARITY_SERVER="$R2R_DIR/natsparity-server"
else
  export NATSPARITY_SERVER="$HOST_DIR/natsparity-server"
fi

need_dotnet() {
  command -v dotnet >/dev/null || { echo "the .NET SDK (dotnet) is required" >&2; exit 1; }
}

# ReadyToRun publish of the host into R2R_DIR (framework-dependent, for this machine's runtime identifier).
publish_host() {
  local arch rid
  arch="$(uname -m)"
  case "$arch" in
    x86_64|amd64) rid=linux-x64 ;;
    aarch64|arm64) rid=linux-arm64 ;;
    *) rid="" ;;
  esac
  if [ -n "$rid" ] && [ "$(uname -s)" = Linux ] && dotnet publish "$ROOT/server/src/NatsParity.Server.Host" -c "$CONFIG" -r "$rid" \
      --self-contained false -p:PublishReadyToRun=true -o "$R2R_DIR" -nologo -v q -clp:ErrorsOnly >&2; then
    export NATSPARITY_SERVER="$R2R_DIR/natsparity-server"
  else
    echo "ReadyToRun publish of the server not possible here; using the JIT build" >&2
    export NATSPARITY_SERVER="$HOST_DIR/natsparity-server"
  fi
}

build_host() {
  need_dotnet
  dotnet build "$ROOT/server/src/NatsParity.Server.Host" -c "$CONFIG" -nologo -v q -clp:ErrorsOnly >&2 && publish_host
}

build_all() {
  need_dotnet
  dotnet build "$ROOT/NatsParity.sln" -c "$CONFIG" -nologo -v q -clp:ErrorsOnly >&2 && publish_host
}
