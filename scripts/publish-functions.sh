#!/usr/bin/env bash
# Publishes the Functions app to .tmp/functions-publish and checks that the published functions.metadata declares
# the HTTP, Event Hubs and timer triggers. Extra arguments go to `dotnet publish`, e.g. --no-build after a Release
# build, or -p:UseOfficialTriggerExtensions=true for the deployable build (it needs the full NuGet gallery).
set -euo pipefail
cd "$(dirname "$0")/.."

out=.tmp/functions-publish
rm -rf "$out"
dotnet publish src/ServerlessBilling.Functions/ServerlessBilling.Functions.csproj -c Release --nologo -o "$out" "$@"

metadata="$out/functions.metadata"
for file in "$metadata" "$out/host.json" "$out/worker.config.json" "$out/ServerlessBilling.Functions.dll"; do
  if [[ ! -f "$file" ]]; then
    echo "publish-functions: $file is missing from the published app" >&2
    exit 1
  fi
done
for trigger in httpTrigger eventHubTrigger timerTrigger; do
  if ! grep -q "\"type\": *\"$trigger\"" "$metadata"; then
    echo "publish-functions: $metadata declares no $trigger" >&2
    exit 1
  fi
done
echo "publish-functions: published to $out ($(grep -c '"entryPoint"' "$metadata") functions)"
