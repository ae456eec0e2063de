#!/usr/bin/env bash
# Builds and lints bicep/main.bicep with the Bicep CLI from NuGet (infra/tools/bicep/BicepCli.csproj, a
# PackageDownload: once restored it works offline) and fails on any warning or error. `bicep lint` exits 0 when it
# only warns, so its output is checked too. The compiled template goes to .tmp/bicep/main.json.
set -euo pipefail
cd "$(dirname "$0")/.."

tools=infra/tools/bicep/BicepCli.csproj
version="$(sed -n 's:.*<BicepVersion>\(.*\)</BicepVersion>.*:\1:p' "$tools")"
dotnet restore "$tools" --nologo -v quiet >/dev/null
packages="${NUGET_PACKAGES:-$(dotnet nuget locals global-packages --list | sed 's/^global-packages: //')}"
bicep="${packages%/}/azure.bicep.commandline.linux-x64/$version/tools/bicep"
if [[ ! -f "$bicep" ]]; then
  echo "bicep-check: the Bicep CLI $version is not at $bicep after restoring $tools" >&2
  exit 1
fi
[[ -x "$bicep" ]] || chmod +x "$bicep"

out=.tmp/bicep
mkdir -p "$out"
log="$out/diagnostics.log"
status=0
"$bicep" build bicep/main.bicep --outfile "$out/main.json" >"$log" 2>&1 || status=1
"$bicep" lint bicep/main.bicep >>"$log" 2>&1 || status=1
if grep -Eq ' : (Warning|Error) ' "$log"; then
  status=1
fi

if [[ $status -ne 0 ]]; then
  cat "$log" >&2
  echo "bicep-check: FAILED (bicep $version): $(grep -Ec ' : Warning ' "$log" || true) warning(s), $(grep -Ec ' : Error ' "$log" || true) error(s)" >&2
  exit 1
fi
echo "bicep-check: bicep/main.bicep builds and lints clean (bicep $version)"
